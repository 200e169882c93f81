using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Notifications;

/// <summary>
/// One person's notices on the site (key: the person's subject, the "sub" claim): "your proposal
/// moved to the next stage", "your ballot was received". Delivery is idempotent by notice id.
/// When email is configured and the person's address is known, each delivered notice is also sent
/// by email, after the notice is stored and without the caller waiting for it.
/// </summary>
[Alias("civic.INotificationInboxGrain")]
public interface INotificationInboxGrain : IGrainWithStringKey
{
    [Alias("deliver")]
    Task DeliverAsync(Notice notice);

    /// <summary>
    /// Delivers as <see cref="DeliverAsync"/> does; its email (if any) also says why this person gets it and, when the footer
    /// has one, carries a link that stops it without signing in (in the text and as <c>List-Unsubscribe</c>). The site
    /// inbox shows the notice alone: the footer belongs to this person's email.
    /// </summary>
    [Alias("deliver-with-footer")]
    Task DeliverWithFooterAsync(Notice notice, NoticeMailFooter footer);

    /// <summary>The newest notices first.</summary>
    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<Notice>> ListAsync(int max);

    [Alias("mark-read")]
    Task MarkReadAsync(string noticeId);

    /// <summary>
    /// Takes a notice back (a step an administrator withdrew as wrong): it leaves the inbox, and its email is not sent if it
    /// has not been yet. Nothing when the inbox does not hold it; a later delivery of the same id is ignored.
    /// </summary>
    [Alias("withdraw")]
    Task WithdrawAsync(string noticeId);

    /// <summary>
    /// Takes a notice back as <see cref="WithdrawAsync"/> does and, only when its email had already been sent (the server
    /// accepted it), delivers <paramref name="correction"/> to this inbox and emails it to the same address, in the same write:
    /// a person who read the wrong email is told it was withdrawn. Once per notice id: a repeat finds it withdrawn and does nothing.
    /// </summary>
    [Alias("withdraw-with-correction")]
    Task WithdrawWithCorrectionAsync(string noticeId, Notice correction);

    /// <summary>
    /// The address later notices are emailed to (from the person's "email" claim, recorded when they
    /// sign in or submit a proposal), so the platform can write when they are not on the site. Notices
    /// already delivered keep the address they were queued with. Returns false for an address that is
    /// not a plain mailbox (nothing is stored).
    /// </summary>
    [Alias("record-email")]
    Task<bool> RecordEmailAsync(string address);

    /// <summary>The recorded address and the email state of each notice (for staff tools and tests).</summary>
    [Alias("mail"), ReadOnly]
    Task<InboxMail> GetMailAsync();
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

[GenerateSerializer, Alias("civic.notice-mail-status")]
public enum NoticeMailStatus
{
    /// <summary>Queued: not sent yet, or a send failed and will be tried again at <see cref="NoticeMail.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>The SMTP server accepted it; it is never sent again.</summary>
    Sent,

    /// <summary>Every attempt failed (or the notice was no longer kept); given up, the notice stays in the inbox.</summary>
    Failed,
}

/// <summary>The email of one notice: where it goes, how far it got, and the last error if any.</summary>
[GenerateSerializer, Immutable, Alias("civic.notice-mail")]
public sealed record NoticeMail(
    [property: Id(0)] string NoticeId,
    [property: Id(1)] string To,
    [property: Id(2)] NoticeMailStatus Status,
    [property: Id(3)] int Attempts,
    [property: Id(4)] DateTimeOffset QueuedAt,
    [property: Id(5)] DateTimeOffset NextAttemptAt,
    [property: Id(6)] DateTimeOffset? SentAt = null,
    [property: Id(7)] string? LastError = null,
    [property: Id(8)] NoticeMailFooter? Footer = null);

/// <summary>
/// What one recipient's email of a notice says below it: why they get it (Japanese, English) and, for notices they may stop
/// without signing in (a proposal they follow), the local path of the stop link. It names nobody; the path's token is the
/// only authority to stop, and only the recipient has it.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.notice-mail-footer")]
public sealed record NoticeMailFooter(
    [property: Id(0)] string Why,
    [property: Id(1)] string WhyEn,
    [property: Id(2)] string? UnsubscribePath = null);

[GenerateSerializer, Immutable, Alias("civic.inbox-mail")]
public sealed record InboxMail(
    [property: Id(0)] string? Address,
    [property: Id(1)] IReadOnlyList<NoticeMail> Mails);
