using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Rounds;
using Microsoft.AspNetCore.Components.Authorization;

namespace Chiyoda.Civic.Web.Notifications;

/// <summary>
/// The signed-in person's notices (proposal status changes, ballot receipts). Pages read the person
/// from the authentication state; the API passes the token's subject.
/// </summary>
public sealed class NotificationService(IGrainFactory grains, AuthenticationStateProvider? authentication = null)
{
    public const int PageSize = 100;

    /// <summary>
    /// The person's notices, newest first. Ballot receipts are not stored as notices (that would double
    /// the writes of every ballot); they are read from the person's ballots in the rounds now voting or
    /// counted, and shown as read.
    /// </summary>
    public async Task<IReadOnlyList<Notice>> ListAsync(string sub, string? voterKey = null, int max = PageSize)
    {
        var stored = await grains.GetGrain<INotificationInboxGrain>(sub).ListAsync(max);
        var receipts = voterKey is null ? [] : await BallotReceiptsAsync(voterKey);
        return [.. stored.Concat(receipts.Where(r => stored.All(s => s.NoticeId != r.NoticeId))).OrderByDescending(n => n.At).Take(max)];
    }

    private async Task<IReadOnlyList<Notice>> BallotReceiptsAsync(string voterKey)
    {
        var rounds = await grains.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey).ListAsync();
        var views = await Task.WhenAll(rounds.Select(async r => (r.RoundId, View: await grains.GetGrain<IBallotGrain>($"{r.RoundId}:{voterKey}").GetAsync())));
        return [.. views.Where(v => v.View.Counted is { Channel: BallotChannel.Online or BallotChannel.Kiosk }).Select(v => ReceiptNotice(v.RoundId, v.View.Counted!))];
    }

    /// <summary>
    /// The receipt in the inbox names the receipt code, never the choices: an inbox is read on shared and family
    /// devices and lists notices side by side, so the choices stay on the ballot page alone (and go with the purge).
    /// </summary>
    private static Notice ReceiptNotice(string roundId, BallotReceipt receipt) =>
        new(
            $"ballot:{roundId}:{receipt.Code}", receipt.CastAt, "ballot-receipt", roundId,
            "投票を受け付けました", "Your ballot was received",
            $"受付番号 {receipt.Code}。投票内容は「あなたの投票」のページで確かめられます。投票期間中は変更できます。",
            $"Receipt {receipt.Code}. The ‘Your ballot’ page shows what you chose. You may change it until voting closes.",
            $"/rounds/{roundId}/ballot",
            Read: true);

    public Task MarkReadAsync(string sub, string noticeId) =>
        grains.GetGrain<INotificationInboxGrain>(sub).MarkReadAsync(noticeId);

    /// <summary>
    /// Marks one of the person's notices read; false when they have no notice of this id (a ballot receipt is one of
    /// theirs too, and always shown as read). The inbox keeps its latest notices only, so the whole of it is looked at.
    /// </summary>
    public async Task<bool> MarkReadAsync(string sub, string? voterKey, string noticeId)
    {
        if ((await ListAsync(sub, voterKey, int.MaxValue)).All(n => n.NoticeId != noticeId))
        {
            return false;
        }

        await MarkReadAsync(sub, noticeId);
        return true;
    }

    public async Task<string?> CurrentSubAsync()
    {
        if (authentication is null)
        {
            return null;
        }

        var state = await authentication.GetAuthenticationStateAsync();
        return state.User.Identity?.IsAuthenticated == true ? state.User.FindFirst("sub")?.Value : null;
    }

    public async Task<IReadOnlyList<Notice>> MineAsync()
    {
        if (authentication is null || await CurrentSubAsync() is not { } sub)
        {
            return [];
        }

        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return await ListAsync(sub, Ballots.Voter.From(user)?.VoterKey);
    }

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
