using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>
/// Issue 7, "Silo killed mid-load": ballots for 1,500 distinct voters through both front ends (100 new
/// voters a second, at most 32 requests in flight); once voting is steady (about 2 s in), one silo process
/// is SIGKILLed: the silo-only process, or front end 1 with the requests in flight on it. Every request that got no receipt is sent again
/// (same Idempotency-Key, same body) through a front end that is still up until it gets one. Then every
/// receipt is in the recount of the stored ballots exactly once with its choices, nothing else is, and
/// the live count equals the recount. The output shows, second by second, how voting went after the kill.
/// </summary>
[Trait(Tier.Name, Tier.Faults)]
[Collection(FaultCollection.Name)]
public sealed class SiloKilledTests(FaultCluster fault, ITestOutputHelper output) : FaultTest(fault)
{
    private const int Voters = 1500;
    private const int Concurrency = 32;
    private const double PerSecond = 100;

    [Fact]
    public Task Silo_only_process_killed_mid_load_every_receipt_is_counted_once_and_every_voter_ends_with_one() =>
        KilledMidLoadAsync(LocalCluster.SiloOnlyIndex);

    [Fact]
    public Task Front_end_killed_mid_load_its_requests_are_retried_on_the_other_and_every_receipt_is_counted_once() =>
        KilledMidLoadAsync(1);

    private async Task KilledMidLoadAsync(int victim)
    {
        var cluster = Fault.Cluster;
        using var load = await VoteLoad.PrepareAsync(Fault, Voters);
        var running = load.RunAsync(Concurrency, PerSecond, giveUpAfter: TimeSpan.FromSeconds(90));

        // About a second of steady voting first (the first requests also activate the round's grains).
        await load.WarmAsync(receipts: 100);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var killedAt = load.Clock.Elapsed;
        await cluster.KillAsync(victim);
        output.WriteLine($"round {load.RoundId}: silo {victim} SIGKILLed at {killedAt.TotalSeconds:0.0} s, after {load.Acknowledged.Count} receipts");
        if (victim != LocalCluster.SiloOnlyIndex)
        {
            // Requests in flight on the dead front end are lost, and new ones are refused, until the load
            // balancer's health probe takes it out (here after 2 s); each is sent again to the other.
            await Task.Delay(TimeSpan.FromSeconds(2));
            load.Down[victim] = true;
        }

        await running;
        output.WriteLine($"load done at {load.Clock.Elapsed.TotalSeconds:0.0} s");

        var degradation = load.Analyse(killedAt, output, $"the kill of silo {victim}");
        FaultAssertions.AssertEveryVoterGotAReceipt(load, output);
        if (victim != LocalCluster.SiloOnlyIndex)
        {
            var lost = load.Attempts.Where(a => a.FrontEnd == victim && a.Status == 0).ToList();
            output.WriteLine($"requests to front end {victim} without an answer (sent again to the other): {lost.Count}, of which in flight when it died: {lost.Count(a => a.Started <= killedAt)}");
            Assert.NotEmpty(lost);
        }

        var recount = FaultAssertions.AssertEveryReceiptStoredOnce(cluster, load, await BallotRecount.ReadAsync(cluster, load.RoundId));
        Assert.Equal(Voters, recount.Rows.Count);
        output.WriteLine("recount: " + recount.Describe());
        await recount.AssertLiveCountEqualsAsync(cluster, load.RoundId, output, settle: TimeSpan.FromSeconds(20));
        Assert.True(degradation.UntilNormal < TimeSpan.FromSeconds(60), $"voting was degraded for {degradation.UntilNormal.TotalSeconds:0.0} s");
    }
}
