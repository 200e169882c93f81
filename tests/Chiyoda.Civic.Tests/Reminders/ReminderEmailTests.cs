using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Grains.Reminders;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Notifications;

namespace Chiyoda.Civic.Tests.Reminders;

/// <summary>
/// Reminders people asked for, below the web app: shard grains on a test cluster (Azurite, Orleans reminders in Azure
/// Table storage) → the platform's SMTP sender (MailKit) → a real SMTP server on loopback (<see cref="SmtpReceiver"/>).
/// The silo killed mid-batch is in <c>Faults/ReminderSiloKilledTests</c>.
/// </summary>
public sealed partial class ReminderEmailTests
{
    private static string NewServiceId() => "civic-remind-" + Guid.NewGuid().ToString("N")[..8];

    private sealed record Person(string Sub, string? VoterKey, string Language)
    {
        public string Address => Sub + "@example.jp";
    }

    [Fact]
    public async Task Each_event_reaches_each_subscriber_once_closes_soon_only_those_who_have_not_voted_and_no_email_says_how_anyone_voted()
    {
        await using var smtp = SmtpReceiver.Start();
        var serviceId = NewServiceId();
        var tag = Guid.NewGuid().ToString("N")[..6];
        // Voting opens in 1 day and closes in 10 (ward clock of the test silo).
        var people = new[]
        {
            new Person($"r-{tag}-1", "v1", "ja"), new Person($"r-{tag}-2", "v2", "en"), new Person($"r-{tag}-3", "v3", "ja"),
            new Person($"r-{tag}-4", "v4", "ja"), new Person($"r-{tag}-worker", null, "ja"),
        };
        var leaver = new Person($"r-{tag}-leaver", "v5", "ja");
        string roundId;

        await using (var mail = await MailCluster.StartAsync(serviceId, smtp.Port))
        {
            var grains = mail.Grains;
            var clock = mail.Clock;
            roundId = await VotingRounds.OpenAsync(grains, clock.GetUtcNow(), window: (TimeSpan.FromDays(1), TimeSpan.FromDays(10)));
            var today = WardClock.Today(clock);
            await VotingRounds.RegisterAsync(grains, roundId, [.. people.Append(leaver).Where(p => p.VoterKey is not null).Select(p => VotingRounds.Adult(p.VoterKey!, today))]);
            foreach (var person in people.Append(leaver))
            {
                Assert.True(await grains.GetGrain<INotificationInboxGrain>(person.Sub).RecordEmailAsync(person.Address));
                var optedIn = await Shard(grains, roundId, person.Sub).OptInAsync(new ReminderSubscriber(person.Sub, person.Language, person.VoterKey));
                Assert.True(optedIn.Succeeded, optedIn.Code);
            }

            // Bad input is refused with its code; opting out again is harmless.
            Assert.Equal(ReminderErrorCodes.InvalidLanguage, (await Shard(grains, roundId, "x").OptInAsync(new ReminderSubscriber("x", "fr", null))).Code);
            Assert.Equal(ReminderErrorCodes.RoundNotFound, (await grains.GetGrain<IReminderShardGrain>("no-such-round:0").OptInAsync(new ReminderSubscriber("x", "ja", null))).Code);
            Assert.True(await Shard(grains, roundId, leaver.Sub).OptOutAsync(leaver.Sub));
            Assert.False(await Shard(grains, roundId, leaver.Sub).OptOutAsync(leaver.Sub));

            // Each opt-in was confirmed by email at once: the person's language first, what will come, and the stop link.
            var confirmations = (await smtp.WaitForAsync(r => r.Count(IsConfirmation) == people.Length + 1)).Where(IsConfirmation).ToList();
            Assert.Equal(people.Append(leaver).Select(p => p.Address).Order(), confirmations.Select(m => m.To.Single()).Order());
            var confirmedJa = confirmations.Single(m => m.To.Single() == people[0].Address);
            Assert.Equal("リマインダーメールの登録を受け付けました：投票テスト / Reminders are on: Voting test", confirmedJa.Message.Subject);
            Assert.True(confirmedJa.Text.IndexOf("締切3日前", StringComparison.Ordinal) < confirmedJa.Text.IndexOf("three days before", StringComparison.Ordinal));
            var confirmedEn = confirmations.Single(m => m.To.Single() == people[1].Address);
            Assert.StartsWith("Reminders are on: Voting test / ", confirmedEn.Message.Subject, StringComparison.Ordinal);
            Assert.True(confirmedEn.Text.IndexOf("three days before", StringComparison.Ordinal) < confirmedEn.Text.IndexOf("締切3日前", StringComparison.Ordinal));
            var stop = Assert.Single(UnsubscribeLink().Matches(confirmedEn.Message.Headers["List-Unsubscribe"] ?? "")).Groups[1].Value;
            Assert.Equal($"{MailCluster.SiteUrl}{ReminderEmail.UnsubscribePath(roundId, (await Shard(grains, roundId, people[1].Sub).TokenOfAsync(people[1].Sub))!).TrimStart('/')}", stop);
            Assert.Contains(stop, confirmedEn.Text, StringComparison.Ordinal);
            Assert.Contains($"{MailCluster.SiteUrl}account/reminders", confirmedEn.Text, StringComparison.Ordinal);

            // Opting in again (the language changed) is no new opt-in: no second confirmation.
            Assert.True((await Shard(grains, roundId, people[0].Sub).OptInAsync(new ReminderSubscriber(people[0].Sub, "en", people[0].VoterKey))).Succeeded);
            Assert.True((await Shard(grains, roundId, people[0].Sub).OptInAsync(new ReminderSubscriber(people[0].Sub, "ja", people[0].VoterKey))).Succeeded);
            Assert.Equal(people.Length + 1, smtp.Received.Count(IsConfirmation));

            // Before the window opens nothing is due.
            await CheckAllAsync(grains, roundId);
            await Task.Delay(500);
            Assert.Empty(Events(smtp.Received));

            // Voting opens: one email to each subscriber, the person's language first; nothing to the one who left.
            clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
            await CheckAllAsync(grains, roundId);
            var opens = Events(await smtp.WaitForAsync(r => Events(r).Count == people.Length));
            Assert.Equal(people.Select(p => p.Address).Order(), opens.Select(m => m.To.Single()).Order());
            Assert.All(opens, m => Assert.Equal($"{roundId}:voting-opens", m.Message.Headers[ReminderEmail.EventHeader]));
            var japanese = opens.Single(m => m.To.Single() == people[0].Address);
            Assert.Equal("区民投票が始まりました：投票テスト / Voting has opened: Voting test", japanese.Message.Subject);
            Assert.True(japanese.Text.IndexOf("区民投票が始まりました", StringComparison.Ordinal) < japanese.Text.IndexOf("has opened", StringComparison.Ordinal));
            var english = opens.Single(m => m.To.Single() == people[1].Address);
            Assert.Equal("Voting has opened: Voting test / 区民投票が始まりました：投票テスト", english.Message.Subject);
            Assert.True(english.Text.IndexOf("has opened", StringComparison.Ordinal) < english.Text.IndexOf("区民投票が始まりました", StringComparison.Ordinal));

            // Every email carries its own one-click stop link (RFC 8058), also in the text.
            foreach (var message in opens)
            {
                var header = message.Message.Headers["List-Unsubscribe"];
                var link = Assert.Single(UnsubscribeLink().Matches(header ?? "")).Groups[1].Value;
                Assert.StartsWith($"{MailCluster.SiteUrl}reminders/unsubscribe?round={roundId}&token=", link, StringComparison.Ordinal);
                Assert.Equal("List-Unsubscribe=One-Click", message.Message.Headers["List-Unsubscribe-Post"]);
                Assert.Contains(link, message.Text, StringComparison.Ordinal);
            }

            Assert.Equal(people.Length, opens.Select(m => m.Message.Headers["List-Unsubscribe"]).Distinct().Count());

            // Two of them vote online; a repeated check sends nothing more.
            var cast1 = await grains.GetGrain<IBallotGrain>($"{roundId}:v1").CastOnlineAsync(new OnlineBallot("k-1", [1, 2, 3], people[0].Sub));
            var cast3 = await grains.GetGrain<IBallotGrain>($"{roundId}:v3").CastOnlineAsync(new OnlineBallot("k-3", [7], people[2].Sub));
            Assert.True(cast1.Accepted && cast3.Accepted);
            await CheckAllAsync(grains, roundId);
            await Task.Delay(500);
            Assert.Equal(people.Length, Events(smtp.Received).Count);

            // Someone who opts in once voting is open (here the first in a round whose shards have not started "voting
            // opens" yet) is told in the confirmation that it has passed, and it does not follow a moment later.
            var lateRound = await VotingRounds.OpenAsync(grains, clock.GetUtcNow());
            var late = new Person($"r-{tag}-late", null, "ja");
            Assert.True(await grains.GetGrain<INotificationInboxGrain>(late.Sub).RecordEmailAsync(late.Address));
            Assert.True((await Shard(grains, lateRound, late.Sub).OptInAsync(new ReminderSubscriber(late.Sub, "ja", null))).Succeeded);
            var lateConfirmation = (await smtp.WaitForAsync(r => r.Any(m => IsConfirmation(m) && m.To.Single() == late.Address))).Single(m => IsConfirmation(m) && m.To.Single() == late.Address);
            Assert.DoesNotContain("区民投票が始まったとき", lateConfirmation.Text, StringComparison.Ordinal);
            await CheckAllAsync(grains, lateRound);
            await Task.Delay(1000);
            Assert.DoesNotContain(Events(smtp.Received), m => m.To.Single() == late.Address);
            Assert.Equal(people.Length, Events(smtp.Received).Count);

            // Three days before the close: only to those on the register who have not voted (v2, v4).
            clock.Advance(TimeSpan.FromDays(6));
            await CheckAllAsync(grains, roundId);
            var closing = Events(await smtp.WaitForAsync(r => Events(r).Count == people.Length + 2)).Skip(people.Length).ToList();
            Assert.Equal(new[] { people[1].Address, people[3].Address }.Order(), closing.Select(m => m.To.Single()).Order());
            Assert.All(closing, m => Assert.Equal($"{roundId}:closing-soon", m.Message.Headers[ReminderEmail.EventHeader]));
            await Task.Delay(500);
            Assert.Equal(people.Length + 2, Events(smtp.Received).Count);
            var progress = await ProgressAsync(grains, roundId);
            Assert.Equal((5, 5, 0), Totals(progress, ReminderEvent.VotingOpens));
            // v1 and v3 voted, the worker is not on the register: skipped, without saying which was which.
            Assert.Equal((5, 2, 3), Totals(progress, ReminderEvent.ClosingSoon));
        }

        // A restarted silo (same tables) sends nothing again, however often it checks.
        await using (var restarted = await MailCluster.StartAsync(serviceId, smtp.Port))
        {
            var grains = restarted.Grains;
            restarted.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
            await CheckAllAsync(grains, roundId);
            await Task.Delay(500);
            Assert.Equal(people.Length + 2, Events(smtp.Received).Count);

            // The results are out (after the close): publication wakes the shards itself (no waiting for the next tick, a
            // minute away), and the same words go to everyone, voters and non-voters alike.
            restarted.Clock.Advance(TimeSpan.FromDays(4));
            Assert.NotNull(await grains.GetGrain<IRoundGrain>(roundId).RecordPublicationAsync(restarted.Clock.GetUtcNow()));
            var published = System.Diagnostics.Stopwatch.StartNew();
            await ReminderSharding.WakeAllAsync(grains, roundId);
            var results = Events(await smtp.WaitForAsync(r => Events(r).Count == 2 * people.Length + 2, TimeSpan.FromSeconds(15))).Skip(people.Length + 2).ToList();
            Assert.True(published.Elapsed < ReminderShardGrain.ReminderPeriod, $"results reminders took {published.Elapsed}");

            // Woken again (a retried publication) and by the tick: nothing more.
            await ReminderSharding.WakeAllAsync(grains, roundId);
            await CheckAllAsync(grains, roundId);
            await Task.Delay(500);
            Assert.Equal(2 * people.Length + 2, Events(smtp.Received).Count);
            Assert.Equal(people.Select(p => p.Address).Order(), results.Select(m => m.To.Single()).Order());
            Assert.Contains($"{MailCluster.SiteUrl}rounds/{roundId}/results", results[0].Text, StringComparison.Ordinal);
            var voterText = Neutral(results.Single(m => m.To.Single() == people[0].Address).Text);
            Assert.Equal(voterText, Neutral(results.Single(m => m.To.Single() == people[3].Address).Text));

            // Opting in after publication is refused; the shards' reminders end.
            Assert.Equal(ReminderErrorCodes.Finished, (await Shard(grains, roundId, leaver.Sub).OptInAsync(new ReminderSubscriber(leaver.Sub, "ja", "v5"))).Code);
        }

        // No email names a choice, a proposal, a receipt or anything about a ballot.
        foreach (var message in smtp.Received)
        {
            var all = message.Message.Headers + "\n" + message.Text;
            foreach (var word in new[] { "提案 1", "提案 7", "Proposal 1", "受付番号", "receipt", "あなたの投票", "your ballot", "投票済", "have voted", "not voted" })
            {
                Assert.DoesNotContain(word, all, StringComparison.OrdinalIgnoreCase);
            }
        }

        // Nobody got two of anything: one message per person and event.
        Assert.Equal(smtp.Received.Count, smtp.Received.Select(m => (m.To.Single(), m.Message.Headers[ReminderEmail.EventHeader])).Distinct().Count());
        Assert.Equal(smtp.Received.Count, smtp.Received.Select(m => m.Message.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task The_stop_link_token_stops_only_its_own_subscription_and_a_bad_token_stops_nothing()
    {
        await using var smtp = SmtpReceiver.Start();
        await using var mail = await MailCluster.StartAsync(NewServiceId(), smtp.Port);
        var grains = mail.Grains;
        var roundId = await VotingRounds.OpenAsync(grains, mail.Clock.GetUtcNow(), window: (TimeSpan.FromDays(1), TimeSpan.FromDays(10)));
        var tag = Guid.NewGuid().ToString("N")[..6];
        var a = $"a-{tag}";
        var b = $"b-{tag}";
        foreach (var sub in new[] { a, b })
        {
            Assert.True((await Shard(grains, roundId, sub).OptInAsync(new ReminderSubscriber(sub, "ja", null))).Succeeded);
        }

        var tokenA = (await Shard(grains, roundId, a).TokenOfAsync(a))!;
        Assert.Equal(ReminderSharding.ShardOf(a), UnsubscribeTokens.ShardOf(tokenA));

        // Malformed, another shard's, or a guess in the right shard: nothing stops.
        var wrongShard = (ReminderSharding.ShardOf(a) + 1) % ReminderSharding.ShardCount;
        var guess = $"{ReminderSharding.ShardOf(a)}-{new string('0', 32)}";
        Assert.Null(UnsubscribeTokens.ShardOf("not-a-token"));
        Assert.Null(UnsubscribeTokens.ShardOf($"0{tokenA}"));
        Assert.False(await Shard(grains, roundId, a).UnsubscribeAsync("not-a-token"));
        Assert.False(await grains.GetGrain<IReminderShardGrain>(ReminderSharding.ShardKey(roundId, wrongShard)).UnsubscribeAsync(tokenA));
        Assert.False(await Shard(grains, roundId, a).UnsubscribeAsync(guess));
        Assert.True(await Shard(grains, roundId, a).IsOptedInAsync(a));

        Assert.True(await Shard(grains, roundId, a).UnsubscribeAsync(tokenA));
        Assert.False(await Shard(grains, roundId, a).IsOptedInAsync(a));
        Assert.True(await Shard(grains, roundId, b).IsOptedInAsync(b));
        Assert.False(await Shard(grains, roundId, a).UnsubscribeAsync(tokenA));

        // Opting in again makes a new token: the old link stops nothing.
        Assert.True((await Shard(grains, roundId, a).OptInAsync(new ReminderSubscriber(a, "ja", null))).Succeeded);
        Assert.NotEqual(tokenA, await Shard(grains, roundId, a).TokenOfAsync(a));
        Assert.False(await Shard(grains, roundId, a).UnsubscribeAsync(tokenA));
        Assert.True(await Shard(grains, roundId, a).IsOptedInAsync(a));
    }

    [Fact]
    public async Task Opting_in_while_voting_is_open_is_confirmed_as_open_until_the_close_with_only_the_reminders_to_come()
    {
        await using var smtp = SmtpReceiver.Start();
        await using var mail = await MailCluster.StartAsync(NewServiceId(), smtp.Port);
        var grains = mail.Grains;
        // Voting opened a day ago and closes in 10 days (ward clock of the test silo).
        var roundId = await VotingRounds.OpenAsync(grains, mail.Clock.GetUtcNow(), window: (TimeSpan.FromDays(-1), TimeSpan.FromDays(10)));
        var schedule = (await grains.GetGrain<IRoundGrain>(roundId).GetAsync())!.Definition.Schedule;
        var sub = $"open-{Guid.NewGuid().ToString("N")[..6]}";
        Assert.True(await grains.GetGrain<INotificationInboxGrain>(sub).RecordEmailAsync(sub + "@example.jp"));
        Assert.True((await Shard(grains, roundId, sub).OptInAsync(new ReminderSubscriber(sub, "en", null))).Succeeded);

        var confirmation = Assert.Single(await smtp.WaitForAsync(r => r.Any(IsConfirmation)), IsConfirmation);
        var text = confirmation.Text;
        Assert.Contains($"The resident vote is open now, until {WardDateText.End(schedule.VotingCloses, english: true)} (Japan time).", text, StringComparison.Ordinal);
        Assert.Contains($"区民投票は現在受け付けています。締切は {WardDateText.End(schedule.VotingCloses, english: false)} です。", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("is open now", StringComparison.Ordinal) < text.IndexOf("受け付けています", StringComparison.Ordinal));
        // The opening has passed: it is neither promised nor dated; "closes soon" and the results are still to come.
        Assert.DoesNotContain("when the resident vote opens", text, StringComparison.Ordinal);
        Assert.DoesNotContain("始まったとき", text, StringComparison.Ordinal);
        Assert.DoesNotContain(WardDateText.Instant(schedule.VotingOpens, english: false), text, StringComparison.Ordinal);
        Assert.Contains($"three days before voting closes ({WardDateText.Instant(schedule.VotingCloses - ReminderRules.ClosingSoonLead, english: true)}, Japan time", text, StringComparison.Ordinal);
        Assert.Contains("when the results are published", text, StringComparison.Ordinal);
    }

    private static bool IsConfirmation(ReceivedMail m) => m.Message.Headers[ReminderEmail.EventHeader]?.EndsWith(":" + ReminderEmail.OptedIn, StringComparison.Ordinal) == true;

    /// <summary>The event reminders among the mail received (without the opt-in confirmations).</summary>
    private static List<ReceivedMail> Events(IReadOnlyList<ReceivedMail> received) => [.. received.Where(m => !IsConfirmation(m))];

    private static IReminderShardGrain Shard(IGrainFactory grains, string roundId, string sub) =>
        grains.GetGrain<IReminderShardGrain>(ReminderSharding.ShardKeyOf(roundId, sub));

    private static Task CheckAllAsync(IGrainFactory grains, string roundId) =>
        Task.WhenAll(ReminderSharding.ShardKeys(roundId).Select(k => grains.GetGrain<IReminderShardGrain>(k).CheckAsync()));

    private static async Task<IReadOnlyList<ReminderEventProgress>> ProgressAsync(IGrainFactory grains, string roundId)
    {
        // Wait until the running batches have finished (every event done).
        for (var i = 0; ; i++)
        {
            var shards = await Task.WhenAll(ReminderSharding.ShardKeys(roundId).Select(k => grains.GetGrain<IReminderShardGrain>(k).GetProgressAsync()));
            var events = shards.SelectMany(s => s.Events).ToList();
            if (events.All(e => e.Done) || i > 100)
            {
                return events;
            }

            await Task.Delay(100);
        }
    }

    private static (int Recipients, int Sent, int Skipped) Totals(IReadOnlyList<ReminderEventProgress> progress, ReminderEvent e) =>
        (progress.Where(p => p.Event == e).Sum(p => p.Recipients), progress.Where(p => p.Event == e).Sum(p => p.Sent), progress.Where(p => p.Event == e).Sum(p => p.Skipped));

    /// <summary>The text without the person's own stop link.</summary>
    private static string Neutral(string text) => UnsubscribeToken().Replace(text, "token=…");

    [GeneratedRegex("<([^>]+)>")]
    private static partial Regex UnsubscribeLink();

    [GeneratedRegex("token=[0-9]+-[0-9a-f]{32}")]
    private static partial Regex UnsubscribeToken();
}
