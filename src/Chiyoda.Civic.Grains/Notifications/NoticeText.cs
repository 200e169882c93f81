using Chiyoda.Civic.Abstractions.Notifications;

namespace Chiyoda.Civic.Grains.Notifications;

/// <summary>A text in the site's two languages: Japanese (the default) first, English second.</summary>
public readonly record struct Bilingual(string Ja, string En);

/// <summary>
/// The one way a capability writes a notice in both languages: each text (title, body) as a <see cref="Bilingual"/> pair,
/// so the Japanese and the English of a notice cannot change places among the record's four positional strings, and
/// each is trimmed the same way. The words stay with each capability (ProposalNotices, CommentNotices, …).
/// </summary>
public static class NoticeText
{
    public static Notice Compose(string noticeId, DateTimeOffset at, string kind, string roundId, Bilingual title, Bilingual body, string? link) =>
        new(noticeId, at, kind, roundId, title.Ja.Trim(), title.En.Trim(), body.Ja.Trim(), body.En.Trim(), link);
}
