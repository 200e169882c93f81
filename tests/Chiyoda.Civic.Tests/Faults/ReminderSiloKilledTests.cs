using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Grains.Reminders;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>
/// Issue 17, reminders "idempotent across silo restarts": a shard sends "voting opens" to 12 subscribers; after 5 are
/// accepted, the SMTP server holds the 6th (read, never answered), and the silo process hosting the shard is SIGKILLed
/// with that email in flight. The shard is activated again on a surviving silo from storage and resumes: the 6th is sent
/// again (its outcome was unknown: at least once, same Message-ID), the 5 already sent are not, the rest are sent. In the
/// end every subscriber has exactly one accepted email and nobody is missed.
/// </summary>
[Trait(Tier.Name, Tier.Faults)]
[Collection(FaultCollection.Name)]
public sealed class ReminderSiloKilledTests(FaultCluster fault, ITestOutputHelper output) : FaultTest(fault)
{
    private const int Subscribers = 12;
    private const int AcceptedBeforeKill = 5;

    [Fact]
    public async Task Silo_killed_mid_batch_no_one_gets_two_and_no_one_is_missed()
    {
        var cluster = Fault.Cluster;
        var smtp = Fault.Smtp;
        var client = await cluster.ClientAsync();
        // Voting opens after they opt in (the reminder goes to those who asked before it fell due): first a day ahead, then
        // moved to the moment after the opt-ins below.
        var roundId = await VotingRounds.OpenAsync(client, DateTimeOffset.UtcNow, window: (TimeSpan.FromDays(1), TimeSpan.FromDays(10)));

        // Twelve people whose subscriptions lie in one shard, so one grain sends them all, one after another.
        var tag = Guid.NewGuid().ToString("N")[..8];
        var shard = ReminderSharding.ShardOf($"kill-{tag}-0");
        var subs = Enumerable.Range(0, 100_000).Select(i => $"kill-{tag}-{i}").Where(s => ReminderSharding.ShardOf(s) == shard).Take(Subscribers).ToList();
        var grain = client.GetGrain<IReminderShardGrain>(ReminderSharding.ShardKey(roundId, shard));
        foreach (var sub in subs)
        {
            Assert.True(await client.GetGrain<INotificationInboxGrain>(sub).RecordEmailAsync($"{sub}@example.jp"));
            var optedIn = await grain.OptInAsync(new ReminderSubscriber(sub, "ja", null));
            Assert.True(optedIn.Succeeded, optedIn.Code);
        }

        var round = client.GetGrain<IRoundGrain>(roundId);
        var definition = (await round.GetAsync())!.Definition;
        var opened = await round.UpdateAsync(definition with { Schedule = definition.Schedule with { VotingOpens = DateTimeOffset.UtcNow } });
        Assert.True(opened.Succeeded, opened.Code);

        bool Mine(ReceivedMail m) => m.Message.Headers[ReminderEmail.EventHeader] == $"{roundId}:voting-opens";
        var before = smtp.Received.Count(Mine);
        Assert.Equal(0, before);
        smtp.HoldAfter(smtp.Received.Count + AcceptedBeforeKill);

        // Voting is open: the check starts the delivery; kill the shard's silo while the 6th email waits for the server.
        await grain.CheckAsync();
        await smtp.Holding.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(AcceptedBeforeKill, smtp.Received.Count(Mine));
        var host = await client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        Assert.NotNull(host);
        var victim = cluster.IndexOf(host);
        Assert.InRange(victim, 0, LocalCluster.Size - 1);
        await cluster.KillAsync(victim);
        smtp.DropHeld();
        output.WriteLine($"round {roundId}, shard {shard}: silo {victim} SIGKILLed with email {AcceptedBeforeKill + 1} of {Subscribers} in flight");

        // The shard comes back on a survivor (any call, or its durable reminder within a minute) and resumes.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ReminderProgress? progress = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            try
            {
                progress = await grain.CheckAsync().WaitAsync(TimeSpan.FromSeconds(10));
                if (progress.Events.SingleOrDefault() is { Done: true })
                {
                    break;
                }
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or SiloUnavailableException)
            {
                // The dead silo is not yet declared dead: calls to it time out until it is.
            }

            await Task.Delay(500);
        }

        output.WriteLine($"resumed and finished {clock.Elapsed.TotalSeconds:0.0} s after the kill");
        var done = Assert.Single(progress!.Events);
        Assert.True(done.Done, "the delivery did not finish");
        Assert.Equal((Subscribers, Subscribers, 0, 0, 1), (done.Recipients, done.Sent, done.Skipped, done.Failed, done.ResentAfterUncertain));

        // Exactly one accepted email per subscriber: nobody twice, nobody missed.
        var mine = smtp.Received.Where(Mine).ToList();
        Assert.Equal(subs.Select(s => $"{s}@example.jp").Order(), mine.Select(m => m.To.Single()).Order());
        var host2 = await client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        Assert.NotEqual(victim, cluster.IndexOf(host2!));

        // A further check (and the durable reminder's ticks) sends nothing more.
        await grain.CheckAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(Subscribers, smtp.Received.Count(Mine));
    }
}
