using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Notifications;

/// <summary>
/// One person's notices on the site (key: the person's subject, the "sub" claim): "your proposal
/// moved to the next stage", "your ballot was received". Delivery is idempotent by notice id.
/// </summary>
[Alias("civic.INotificationInboxGrain")]
public interface INotificationInboxGrain : IGrainWithStringKey
{
    [Alias("deliver")]
    Task DeliverAsync(Notice notice);

    /// <summary>The newest notices first.</summary>
    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<Notice>> ListAsync(int max);

    [Alias("mark-read")]
    Task MarkReadAsync(string noticeId);
}

/// <summary>A notice in both languages; <see cref="Link"/> is a local path to what it is about.</summary>
[GenerateSerializer, Immutable, Alias("civic.notice")]
public sealed record Notice(
    [property: Id(0)] string NoticeId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Kind,
    [property: Id(3)] string RoundId,
    [property: Id(4)] string Title,
    [property: Id(5)] string TitleEn,
    [property: Id(6)] string Body,
    [property: Id(7)] string BodyEn,
    [property: Id(8)] string? Link,
    [property: Id(9)] bool Read = false);
