using System.Text;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Grains.Notifications;
using MimeKit;
using MimeKit.Text;

namespace Chiyoda.Civic.Grains.Reminders;

/// <summary>
/// A reminder email: the same words for everyone who asked for that event of that round (nothing about the person's
/// ballot, ever; "closes soon" does not even say that they have not voted), in the person's language first and the
/// other below, with a link to stop the reminders that needs no sign-in, also as <c>List-Unsubscribe</c> with one-click
/// <c>List-Unsubscribe-Post</c> (RFC 8058).
/// </summary>
/// <summary>Where a round's vote stands when a confirmation is written (the close record counts: an early close is closed).</summary>
public enum VotingState
{
    NotYetOpen,
    Open,
    Closed,
}

public static class ReminderEmail
{
    public const string EventHeader = "X-Civic-Reminder";

    private const string Rule = "────────────────────────────────────────";

    public static string UnsubscribePath(string roundId, string token) =>
        $"/reminders/unsubscribe?round={Uri.EscapeDataString(roundId)}&token={Uri.EscapeDataString(token)}";

    public static (string Ja, string En) Subject(ReminderEvent e, RoundDefinition round) => e switch
    {
        ReminderEvent.VotingOpens => ($"区民投票が始まりました：{round.Name}", $"Voting has opened: {round.NameEn ?? round.Name}"),
        ReminderEvent.ClosingSoon => ($"区民投票の締切まであと3日です：{round.Name}", $"Three days left to vote: {round.NameEn ?? round.Name}"),
        _ => ($"投票結果を公表しました：{round.Name}", $"The results are out: {round.NameEn ?? round.Name}"),
    };

    public static MimeMessage Compose(ReminderEvent e, string roundId, RoundDefinition round, string to, string language, string token,
        string from, string? siteUrl, string sub)
    {
        var unsubscribe = Absolute(UnsubscribePath(roundId, token), siteUrl);
        var (ja, en) = Texts(e, roundId, round, siteUrl, unsubscribe);
        var (subjectJa, subjectEn) = Subject(e, round);
        var english = language == "en";
        var message = new MimeMessage
        {
            Subject = english ? $"{subjectEn} / {subjectJa}" : $"{subjectJa} / {subjectEn}",
            // One message per person and event: a send repeated after a crash is the same message to mail systems and readers.
            MessageId = NoticeEmail.MessageIdOf($"reminder:{roundId}:{ReminderEvents.Name(e)}:{sub}", from),
            Body = new TextPart(TextFormat.Plain)
            {
                Text = english
                    ? $"{en}\n{Rule}\n(日本語)\n\n{ja}"
                    : $"{ja}\n{Rule}\n(English)\n\n{en}",
            },
        };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Headers.Add(EventHeader, $"{roundId}:{ReminderEvents.Name(e)}");
        message.Headers.Add("Auto-Submitted", "auto-generated");
        // Only an http(s) address (on Linux a bare path parses as an absolute file: URI).
        if (Uri.TryCreate(unsubscribe, UriKind.Absolute, out var stop) && stop.Scheme is "https" or "http")
        {
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        return message;
    }

    /// <summary>The value of <see cref="EventHeader"/> on the email that confirms an opt-in.</summary>
    public const string OptedIn = "opted-in";

    /// <summary>
    /// The email that confirms an opt-in: which round, where its vote stands at <paramref name="now"/>, which reminders are
    /// still to come (<see cref="ReminderRules.Ahead"/>), and how to stop them (the link, no sign-in; or the account page).
    /// While voting is open it says so and until when, and promises no opening that has passed. The person's language first.
    /// </summary>
    public static MimeMessage ComposeConfirmation(string roundId, RoundDefinition round, string to, string language, string token,
        string from, string? siteUrl, string sub, DateTimeOffset now, VotingState voting)
    {
        var unsubscribe = Absolute(UnsubscribePath(roundId, token), siteUrl);
        var account = Absolute("/account/reminders", siteUrl);
        var nameEn = round.NameEn ?? round.Name;
        var schedule = round.Schedule;
        // Closed (early, perhaps, before "closes soon" was due): only the results are still to come.
        IReadOnlyList<ReminderEvent> ahead = voting == VotingState.Closed ? [ReminderEvent.ResultsPublished] : ReminderRules.Ahead(schedule, now);
        var (stateJa, stateEn) = voting switch
        {
            VotingState.Open => (
                $"区民投票は現在受け付けています。締切は {JaEnd(schedule.VotingCloses)} です。\n\n",
                $"The resident vote is open now, until {EnEnd(schedule.VotingCloses)} (Japan time).\n\n"),
            VotingState.Closed => ("区民投票は締め切りました。\n\n", "The resident vote has closed.\n\n"),
            _ => ("", ""),
        };
        var ja = new StringBuilder()
            .Append($"「{round.Name}」のリマインダーメールの登録を受け付けました。\n\n")
            .Append(stateJa)
            .Append("次のときにメールでお知らせします。\n\n");
        var en = new StringBuilder()
            .Append($"Your reminders for \"{nameEn}\" are on.\n\n")
            .Append(stateEn)
            .Append("We will email you:\n\n");
        foreach (var e in ahead)
        {
            var at = ReminderRules.DueAt(e, schedule, null);
            switch (e)
            {
                case ReminderEvent.VotingOpens:
                    ja.Append($"・区民投票が始まったとき（{Ja(at!.Value)}）\n");
                    en.Append($"- when the resident vote opens ({En(at!.Value)}, Japan time)\n");
                    break;
                case ReminderEvent.ClosingSoon:
                    ja.Append($"・投票の締切3日前（{Ja(at!.Value)}、まだ投票していない方のみ）\n");
                    en.Append($"- three days before voting closes ({En(at!.Value)}, Japan time; only if you are yet to vote)\n");
                    break;
                default:
                    ja.Append("・投票結果を公表したとき\n");
                    en.Append("- when the results are published\n");
                    break;
            }
        }

        ja.Append("\n登録した回の一覧と停止: ").Append(account).Append('\n')
            .Append("配信の停止（サインインは不要です）: ").Append(unsubscribe).Append('\n')
            .Append("\n心当たりがない場合は、上の停止のリンクを開いてください。このメールは送信専用です。\n");
        en.Append("\nYour reminders, and stopping them: ").Append(account).Append('\n')
            .Append("Stop these reminders (no sign-in needed): ").Append(unsubscribe).Append('\n')
            .Append("\nIf you did not ask for this, open the stop link above. Do not reply to this email.\n");
        var english = language == "en";
        var (subjectJa, subjectEn) = ($"リマインダーメールの登録を受け付けました：{round.Name}", $"Reminders are on: {nameEn}");
        var message = new MimeMessage
        {
            Subject = english ? $"{subjectEn} / {subjectJa}" : $"{subjectJa} / {subjectEn}",
            // One per opt-in (a new opt-in has a new token): a resend after a crash is the same message.
            MessageId = NoticeEmail.MessageIdOf($"reminder:{roundId}:{OptedIn}:{sub}:{token}", from),
            Body = new TextPart(TextFormat.Plain)
            {
                Text = english ? $"{en}\n{Rule}\n(日本語)\n\n{ja}" : $"{ja}\n{Rule}\n(English)\n\n{en}",
            },
        };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Headers.Add(EventHeader, $"{roundId}:{OptedIn}");
        message.Headers.Add("Auto-Submitted", "auto-generated");
        if (Uri.TryCreate(unsubscribe, UriKind.Absolute, out var stop) && stop.Scheme is "https" or "http")
        {
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        return message;
    }

    private static (string Ja, string En) Texts(ReminderEvent e, string roundId, RoundDefinition round, string? siteUrl, string unsubscribe)
    {
        var schedule = round.Schedule;
        var nameEn = round.NameEn ?? round.Name;
        var (lineJa, lineEn, path) = e switch
        {
            ReminderEvent.VotingOpens => (
                $"「{round.Name}」の区民投票が始まりました。投票期間は {Ja(schedule.VotingOpens)} から {JaEnd(schedule.VotingCloses)} までです。" +
                "満18歳以上の区民の方は、オンラインのほか、区の施設で紙でも投票できます。",
                $"The resident vote of \"{nameEn}\" has opened. You can vote from {En(schedule.VotingOpens)} until {EnEnd(schedule.VotingCloses)} (Japan time). " +
                "Residents aged 18 or over may vote online or on paper at ward facilities.",
                $"/rounds/{roundId}"),
            ReminderEvent.ClosingSoon => (
                $"「{round.Name}」の区民投票は {JaEnd(schedule.VotingCloses)} に締め切ります。投票期間中は、投票した内容を変更することもできます。",
                $"The resident vote of \"{nameEn}\" closes on {EnEnd(schedule.VotingCloses)} (Japan time). Until then you may also change a ballot you have cast.",
                $"/rounds/{roundId}"),
            _ => (
                $"「{round.Name}」の投票結果を公表しました。区民投票にご参加いただき、ありがとうございました。",
                $"The results of \"{nameEn}\" are published. Thank you for taking part in the resident vote.",
                $"/rounds/{roundId}/results"),
        };
        var link = Absolute(path, siteUrl);
        var ja = new StringBuilder()
            .Append(lineJa).Append("\n\n詳しくはサイトでご覧ください: ").Append(link).Append('\n')
            .Append("\nこのメールは、この回のリマインダーを希望された方にお送りしています（送信専用です）。\n")
            .Append("配信の停止（サインインは不要です）: ").Append(unsubscribe).Append('\n');
        var en = new StringBuilder()
            .Append(lineEn).Append("\n\nDetails on the site: ").Append(link).Append('\n')
            .Append("\nYou receive this because you asked for reminders about this round (do not reply).\n")
            .Append("Stop these reminders (no sign-in needed): ").Append(unsubscribe).Append('\n');
        return (ja.ToString(), en.ToString());
    }

    // The site's own words for instants (WardDateText): a close at midnight reads 「3月1日(土) 24:00」 here as on the round page.
    private static string Ja(DateTimeOffset instant) => WardDateText.Instant(instant, english: false);

    private static string En(DateTimeOffset instant) => WardDateText.Instant(instant, english: true);

    private static string JaEnd(DateTimeOffset instant) => WardDateText.End(instant, english: false);

    private static string EnEnd(DateTimeOffset instant) => WardDateText.End(instant, english: true);

    private static string Absolute(string path, string? siteUrl) =>
        siteUrl is { Length: > 0 } && Uri.TryCreate(siteUrl, UriKind.Absolute, out var site)
            ? new Uri(site, path.TrimStart('/')).ToString()
            : path;
}
