using Chiyoda.Civic.Abstractions.Notifications;
using Microsoft.AspNetCore.Components.Authorization;

namespace Chiyoda.Civic.Web.Notifications;

/// <summary>
/// The signed-in person's notices (proposal status changes, ballot receipts). Pages read the person
/// from the authentication state; the API passes the token's subject.
/// </summary>
public sealed class NotificationService(IGrainFactory grains, AuthenticationStateProvider? authentication = null)
{
    public const int PageSize = 100;

    public Task<IReadOnlyList<Notice>> ListAsync(string sub, int max = PageSize) =>
        grains.GetGrain<INotificationInboxGrain>(sub).ListAsync(max);

    public Task MarkReadAsync(string sub, string noticeId) =>
        grains.GetGrain<INotificationInboxGrain>(sub).MarkReadAsync(noticeId);

    public async Task<string?> CurrentSubAsync()
    {
        if (authentication is null)
        {
            return null;
        }

        var state = await authentication.GetAuthenticationStateAsync();
        return state.User.Identity?.IsAuthenticated == true ? state.User.FindFirst("sub")?.Value : null;
    }

    public async Task<IReadOnlyList<Notice>> MineAsync() =>
        await CurrentSubAsync() is { } sub ? await ListAsync(sub) : [];

    public async Task<int> UnreadCountAsync() =>
        (await MineAsync()).Count(n => !n.Read);

    public async Task MarkMineReadAsync(string noticeId)
    {
        if (await CurrentSubAsync() is { } sub)
        {
            await MarkReadAsync(sub, noticeId);
        }
    }
}
