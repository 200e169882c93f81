using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;

namespace Chiyoda.Civic.Grains.Notifications;

[GenerateSerializer, Alias("civic.notification-inbox-state")]
public sealed class NotificationInboxState
{
    [Id(0)] public List<Notice> Notices { get; set; } = [];
}

/// <summary>
/// Keeps a person's latest notices. The inbox is bounded so its stored state stays far below Azure
/// Table's entity limit however long a person takes part.
/// </summary>
[GrainType("notification-inbox")]
public sealed class NotificationInboxGrain(
    [PersistentState("inbox", StorageNames.GrainState)] IPersistentState<NotificationInboxState> state) : Grain, INotificationInboxGrain
{
    public const int Capacity = 200;

    async Task INotificationInboxGrain.DeliverAsync(Notice notice)
    {
        if (state.State.Notices.Any(n => n.NoticeId == notice.NoticeId))
        {
            return;
        }

        state.State.Notices.Add(notice with { Read = false });
        if (state.State.Notices.Count > Capacity)
        {
            state.State.Notices = [.. state.State.Notices.OrderByDescending(n => n.At).Take(Capacity)];
        }

        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<Notice>> INotificationInboxGrain.ListAsync(int max) =>
        Task.FromResult<IReadOnlyList<Notice>>([.. state.State.Notices.OrderByDescending(n => n.At).Take(Math.Clamp(max, 1, Capacity))]);

    async Task INotificationInboxGrain.MarkReadAsync(string noticeId)
    {
        var index = state.State.Notices.FindIndex(n => n.NoticeId == noticeId);
        if (index < 0 || state.State.Notices[index].Read)
        {
            return;
        }

        state.State.Notices[index] = state.State.Notices[index] with { Read = true };
        await state.WriteStateAsync();
    }
}
