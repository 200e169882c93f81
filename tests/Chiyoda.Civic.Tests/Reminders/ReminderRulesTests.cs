using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Grains.Reminders;

namespace Chiyoda.Civic.Tests.Reminders;

/// <summary>The reminders' plain rules: when each event falls due, the stop token's form, and the email's shape.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ReminderRulesTests
{
    private static readonly DateTimeOffset Opens = new(2024, 8, 5, 9, 0, 0, TimeSpan.FromHours(9));

    private static RoundSchedule Window(TimeSpan length) =>
        new(Opens.AddDays(-60), Opens.AddDays(-30), Opens, Opens + length, Opens + length + TimeSpan.FromDays(10));

    [Fact]
    public void Events_fall_due_at_the_opening_three_days_before_the_close_and_at_publication()
    {
        var schedule = Window(TimeSpan.FromDays(46));
        var published = Opens.AddDays(60);
        Assert.Equal(Opens, ReminderRules.DueAt(ReminderEvent.VotingOpens, schedule, null));
        Assert.Equal(schedule.VotingCloses - TimeSpan.FromDays(3), ReminderRules.DueAt(ReminderEvent.ClosingSoon, schedule, null));
        Assert.Null(ReminderRules.DueAt(ReminderEvent.ResultsPublished, schedule, null));
        Assert.Equal(published, ReminderRules.DueAt(ReminderEvent.ResultsPublished, schedule, published));

        // A window of three days or less has no "closes soon": the opening email already says when it closes.
        Assert.Null(ReminderRules.DueAt(ReminderEvent.ClosingSoon, Window(TimeSpan.FromDays(3)), null));
        Assert.NotNull(ReminderRules.DueAt(ReminderEvent.ClosingSoon, Window(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1)), null));
    }

    [Fact]
    public void A_close_at_midnight_reads_24_00_of_the_day_before_in_the_emails_as_on_the_pages()
    {
        // 2025-03-02 00:00 in Tokyo: the vote's last day is Saturday 1 March.
        var midnight = new DateTimeOffset(2025, 3, 2, 0, 0, 0, TimeSpan.FromHours(9));
        Assert.Equal("2025年3月1日(土) 24:00", WardDateText.End(midnight, english: false));
        Assert.Equal("Sat 1 Mar 2025, 24:00", WardDateText.End(midnight, english: true));
        // The same instant as a start, and any other end, read as the clock says (the server's own zone plays no part).
        Assert.Equal("2025年3月2日(日) 0:00", WardDateText.Instant(midnight, english: false));
        Assert.Equal("2025年3月1日(土) 23:59", WardDateText.End(midnight.AddMinutes(-1).ToUniversalTime(), english: false));
        Assert.Equal("Sat 1 Mar 2025, 23:59", WardDateText.End(midnight.AddMinutes(-1), english: true));

        var round = new RoundDefinition("デジタル活用提案制度 2024年度", "Digital proposal programme 2024",
            new RoundSchedule(Opens.AddDays(-60), Opens.AddDays(-30), new DateTimeOffset(2025, 2, 1, 9, 0, 0, TimeSpan.FromHours(9)), midnight, midnight.AddDays(10)),
            new RoundRules(3, 18, 3));
        foreach (var e in new[] { ReminderEvent.VotingOpens, ReminderEvent.ClosingSoon })
        {
            var mail = ReminderEmail.Compose(e, "2025", round, "a@example.jp", "ja", UnsubscribeTokens.New(1), "Civic <no-reply@example.jp>", null, "sub-a");
            Assert.Contains("2025年3月1日(土) 24:00", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("Sat 1 Mar 2025, 24:00", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("3月2日", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("2 Mar", mail.TextBody, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_stop_token_names_its_shard_and_anything_else_is_refused()
    {
        for (var shard = 0; shard < ReminderSharding.ShardCount; shard++)
        {
            var token = UnsubscribeTokens.New(shard);
            Assert.Equal(shard, UnsubscribeTokens.ShardOf(token));
            Assert.NotEqual(token, UnsubscribeTokens.New(shard));
        }

        var good = UnsubscribeTokens.New(7);
        var hex = good[2..];
        foreach (var bad in new[] { null, "", "7", "7-", hex, "07-" + hex, "32-" + hex, "-1-" + hex, "7-" + hex.ToUpperInvariant(), "7-" + hex[..31],
                     "7-" + hex + "0", "7_" + hex, "7-" + hex[..31] + "g", "٧-" + hex })
        {
            Assert.Null(UnsubscribeTokens.ShardOf(bad));
        }
    }

    [Fact]
    public void The_email_is_in_the_persons_language_first_and_carries_the_one_click_stop_link_only_when_it_can_be_absolute()
    {
        var round = new RoundDefinition("デジタル活用提案制度 2024年度", "Digital proposal programme 2024", Window(TimeSpan.FromDays(46)), new RoundRules(3, 18, 3));
        var token = UnsubscribeTokens.New(3);
        var ja = ReminderEmail.Compose(ReminderEvent.ClosingSoon, "2024", round, "a@example.jp", "ja", token, "Civic <no-reply@example.jp>", "https://civic.example.jp/", "sub-a");
        var en = ReminderEmail.Compose(ReminderEvent.ClosingSoon, "2024", round, "a@example.jp", "en", token, "Civic <no-reply@example.jp>", "https://civic.example.jp/", "sub-a");

        Assert.StartsWith("区民投票の締切まであと3日です", ja.Subject, StringComparison.Ordinal);
        Assert.StartsWith("Three days left to vote", en.Subject, StringComparison.Ordinal);
        Assert.Contains("2024年9月20日(金) 9:00", ja.TextBody, StringComparison.Ordinal);
        // en-GB writes September "Sep" or "Sept" depending on the ICU version.
        Assert.Matches(@"Fri 20 Sept? 2024, 09:00", ja.TextBody);
        Assert.True(en.TextBody!.IndexOf("closes on", StringComparison.Ordinal) < en.TextBody.IndexOf("締め切ります", StringComparison.Ordinal));
        var link = $"https://civic.example.jp/reminders/unsubscribe?round=2024&token={token}";
        Assert.Equal($"<{link}>", ja.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", ja.Headers["List-Unsubscribe-Post"]);
        Assert.Contains(link, ja.TextBody, StringComparison.Ordinal);
        // The same message (Message-ID) in either language: one per person and event.
        Assert.Equal(ja.MessageId, en.MessageId);
        Assert.NotEqual(ja.MessageId, ReminderEmail.Compose(ReminderEvent.VotingOpens, "2024", round, "a@example.jp", "ja", token, "Civic <no-reply@example.jp>", null, "sub-a").MessageId);

        // Without the site's address the link cannot be absolute: no List-Unsubscribe header (RFC 8058 needs a URI), the path in the text.
        var relative = ReminderEmail.Compose(ReminderEvent.ClosingSoon, "2024", round, "a@example.jp", "ja", token, "Civic <no-reply@example.jp>", null, "sub-a");
        Assert.Null(relative.Headers["List-Unsubscribe"]);
        Assert.Contains($"/reminders/unsubscribe?round=2024&token={token}", relative.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Opting_in_while_voting_is_open_is_confirmed_with_the_close_and_only_the_reminders_still_to_come()
    {
        var schedule = Window(TimeSpan.FromDays(10));
        var closingSoon = schedule.VotingCloses - ReminderRules.ClosingSoonLead;
        Assert.Equal(ReminderEvents.All, ReminderRules.Ahead(schedule, Opens.AddDays(-1)));
        Assert.Equal([ReminderEvent.ClosingSoon, ReminderEvent.ResultsPublished], ReminderRules.Ahead(schedule, Opens.AddDays(2)));
        Assert.Equal([ReminderEvent.ResultsPublished], ReminderRules.Ahead(schedule, closingSoon));

        var round = new RoundDefinition("投票テスト", "Voting test", schedule, new RoundRules(3, 18, 3));
        MimeKit.MimeMessage Confirm(DateTimeOffset now, VotingState voting) => ReminderEmail.ComposeConfirmation("2024", round, "a@example.jp", "ja",
            UnsubscribeTokens.New(3), "Civic <no-reply@example.jp>", "https://civic.example.jp/", "sub-a", now, voting);

        // Voting open: it says so, until when (ward time, 24:00 style as on the pages), and neither promises the past opening.
        var open = Confirm(Opens.AddDays(2), VotingState.Open).TextBody!;
        Assert.Contains($"区民投票は現在受け付けています。締切は {WardDateText.End(schedule.VotingCloses, english: false)} です。", open, StringComparison.Ordinal);
        Assert.Contains($"The resident vote is open now, until {WardDateText.End(schedule.VotingCloses, english: true)} (Japan time).", open, StringComparison.Ordinal);
        Assert.DoesNotContain("始まったとき", open, StringComparison.Ordinal);
        Assert.DoesNotContain("when the resident vote opens", open, StringComparison.Ordinal);
        Assert.Contains($"・投票の締切3日前（{WardDateText.Instant(closingSoon, english: false)}、まだ投票していない方のみ）", open, StringComparison.Ordinal);
        Assert.Contains("・投票結果を公表したとき", open, StringComparison.Ordinal);

        // Inside the last three days: only the results are still to come.
        var late = Confirm(closingSoon.AddHours(1), VotingState.Open).TextBody!;
        Assert.DoesNotContain("締切3日前", late, StringComparison.Ordinal);
        Assert.Contains("・投票結果を公表したとき", late, StringComparison.Ordinal);

        // Before the opening: every reminder, with the opening's date; after the close (even an early one): only the results.
        var before = Confirm(Opens.AddDays(-1), VotingState.NotYetOpen).TextBody!;
        Assert.Contains($"・区民投票が始まったとき（{WardDateText.Instant(Opens, english: false)}）", before, StringComparison.Ordinal);
        Assert.DoesNotContain("受け付けています", before, StringComparison.Ordinal);
        var closed = Confirm(Opens.AddDays(1), VotingState.Closed).TextBody!;
        Assert.Contains("区民投票は締め切りました。", closed, StringComparison.Ordinal);
        Assert.DoesNotContain("締切3日前", closed, StringComparison.Ordinal);
    }
}
