using System.Security.Cryptography;
using System.Text;
using Chiyoda.Civic.Abstractions.Notifications;
using MimeKit;
using MimeKit.Text;

namespace Chiyoda.Civic.Grains.Notifications;

/// <summary>
/// The email form of a notice: Japanese first, English below, plain text in UTF-8. It carries exactly
/// what the site inbox shows (title, body, link) and nothing else, so nothing private (screeners'
/// notes, scores) can reach it that the proposer could not already read on the site.
/// </summary>
public static class NoticeEmail
{
    public const string NoticeIdHeader = "X-Civic-Notice-Id";

    private const string Rule = "────────────────────────────────────────";

    public static string Subject(Notice notice) => $"{notice.Title} / {notice.TitleEn}";

    public static string Text(Notice notice, string? siteUrl, NoticeMailFooter? footer = null)
    {
        var link = LinkOf(notice, siteUrl);
        var stop = footer?.UnsubscribePath is { Length: > 0 } path ? Absolute(path, siteUrl) : null;
        var text = new StringBuilder();
        text.Append(notice.Title).Append("\n\n").Append(notice.Body).Append('\n');
        if (link is not null)
        {
            text.Append("\n詳しくはサイトでご覧ください: ").Append(link).Append('\n');
        }

        if (footer is not null)
        {
            text.Append('\n').Append(footer.Why.Trim()).Append('\n');
        }

        if (stop is not null)
        {
            text.Append("配信の停止（サインインは不要です）: ").Append(stop).Append('\n');
        }

        text.Append("\nこのメールは千代田区デジタル活用提案制度のサイトからお送りしています（送信専用です）。")
            .Append("同じお知らせはサイトの「お知らせ」にもあります。\n\n")
            .Append(Rule).Append("\n(English)\n\n")
            .Append(notice.TitleEn).Append("\n\n").Append(notice.BodyEn).Append('\n');
        if (link is not null)
        {
            text.Append("\nDetails on the site: ").Append(link).Append('\n');
        }

        if (footer is not null)
        {
            text.Append('\n').Append(footer.WhyEn.Trim()).Append('\n');
        }

        if (stop is not null)
        {
            text.Append("Stop these emails (no sign-in needed): ").Append(stop).Append('\n');
        }

        text.Append("\nThis email comes from the Chiyoda City digital proposal programme's site (do not reply). ")
            .Append("The same notice is in your inbox on the site.\n");
        return text.ToString();
    }

    public static MimeMessage Compose(Notice notice, string to, string from, string? siteUrl, NoticeMailFooter? footer = null)
    {
        var message = new MimeMessage
        {
            Subject = Subject(notice),
            Date = notice.At,
            // Fixed by the notice id: should a send be repeated (the server accepted it but the silo stopped
            // before recording that), mail systems and readers see the same message twice, not two messages.
            MessageId = MessageIdOf(notice.NoticeId, from),
            Body = new TextPart(TextFormat.Plain) { Text = Text(notice, siteUrl, footer) },
        };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Headers.Add(NoticeIdHeader, notice.NoticeId);
        // Automatic notices: ask auto-responders not to answer them (RFC 3834).
        message.Headers.Add("Auto-Submitted", "auto-generated");
        // A notice the recipient may stop (a proposal they follow): the mail system's own "unsubscribe", one click (RFC 8058),
        // as reminders do. Only an http(s) address (on Linux a bare path parses as an absolute file: URI).
        if (footer?.UnsubscribePath is { Length: > 0 } path && Absolute(path, siteUrl) is var unsubscribe
            && Uri.TryCreate(unsubscribe, UriKind.Absolute, out var stop) && stop.Scheme is "https" or "http")
        {
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        return message;
    }

    private static string Absolute(string path, string? siteUrl) =>
        siteUrl is { Length: > 0 } && Uri.TryCreate(siteUrl, UriKind.Absolute, out var site)
            ? new Uri(site, path.TrimStart('/')).ToString()
            : path;

    public static string? LinkOf(Notice notice, string? siteUrl)
    {
        if (string.IsNullOrEmpty(notice.Link))
        {
            return null;
        }

        return siteUrl is { Length: > 0 } && Uri.TryCreate(siteUrl, UriKind.Absolute, out var site)
            ? new Uri(site, notice.Link.TrimStart('/')).ToString()
            : notice.Link;
    }

    /// <summary>A Message-ID fixed by the id: a repeated send is the same message to mail systems and readers.</summary>
    public static string MessageIdOf(string noticeId, string from)
    {
        var domain = MailboxAddress.Parse(from).Domain;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(noticeId)))[..32];
        return $"notice.{hash}@{(string.IsNullOrEmpty(domain) ? "chiyoda-civic.invalid" : domain)}";
    }
}
