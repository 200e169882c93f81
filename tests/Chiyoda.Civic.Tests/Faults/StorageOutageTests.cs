using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>
/// Issue 7, "Storage outage": during a load, the cluster's Azurite is stopped with SIGSTOP for 10 s
/// (and, in a second run, 20 s) and then continued. While it is stopped, callers get either a receipt
/// that is true (the ballot is in the recount with that code) or a clear retryable error (503,
/// Retry-After, problem details with a code) — no other status, no 500, no hang. Afterwards every retry succeeds; nothing acknowledged is
/// missing and nothing is counted twice; the live count equals the recount.
/// </summary>
[Trait(Tier.Name, Tier.Faults)]
[Collection(FaultCollection.Name)]
public sealed class StorageOutageTests(FaultCluster fault, ITestOutputHelper output) : FaultTest(fault)
{
    private const int Voters = 1200;

    /// <summary>
    /// 10 s, as the issue asks: shorter than the ballot write's own retries (5 s network time-out, 2 retries),
    /// so callers mostly wait and get a delayed receipt. 20 s: longer, so writes fail with their fate unknown
    /// (a transaction sent before the pause may still land after it) and callers get 503 and retry.
    /// </summary>
    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    public async Task Storage_paused_callers_get_a_true_receipt_or_a_clear_503_and_nothing_is_lost_or_doubled(int seconds)
    {
        var pause = TimeSpan.FromSeconds(seconds);
        var cluster = Fault.Cluster;
        // The client waits longer than any answer should take, so a request left hanging shows as one.
        using var load = await VoteLoad.PrepareAsync(Fault, Voters, timeout: TimeSpan.FromSeconds(60));
        var running = load.RunAsync(concurrency: 32, perSecond: 60, giveUpAfter: TimeSpan.FromSeconds(90));

        await load.WarmAsync(receipts: 100);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var pausedAt = load.Clock.Elapsed;
        Fault.PauseStorage();
        TimeSpan resumedAt;
        try
        {
            output.WriteLine($"round {load.RoundId}: storage stopped (SIGSTOP) at {pausedAt.TotalSeconds:0.0} s, after {load.Acknowledged.Count} receipts");
            await Task.Delay(pause);
        }
        finally
        {
            Fault.ResumeStorage();
            resumedAt = load.Clock.Elapsed;
        }

        output.WriteLine($"storage continued (SIGCONT) at {resumedAt.TotalSeconds:0.0} s");
        await running;
        output.WriteLine($"load done at {load.Clock.Elapsed.TotalSeconds:0.0} s");
        var degradation = load.Analyse(pausedAt, output, "the pause");

        // Every answer, during the pause or not: a receipt, or the promised 503. Nothing hung until the client gave up.
        var attempts = load.Attempts.ToArray();
        var unclear = attempts.Where(a => !a.Succeeded && !a.IsClearRetryable).ToList();
        Assert.True(unclear.Count == 0, $"{unclear.Count} answers neither a receipt nor a 503 with Retry-After and a problem code: {string.Join("; ", unclear.Take(10))}");
        var duringPause = attempts.Where(a => a.Ended >= pausedAt && a.Started <= resumedAt).ToList();
        var receiptsDuringPause = duringPause.Where(a => a.Succeeded).ToList();
        output.WriteLine($"requests overlapping the pause: {duringPause.Count}: {receiptsDuringPause.Count} receipts " +
                         $"(slowest {receiptsDuringPause.Select(a => a.Latency.TotalSeconds).DefaultIfEmpty().Max():0.0} s), " +
                         $"{duringPause.Count(a => a.IsClearRetryable)} × 503 ({string.Join(", ", duringPause.Where(a => !a.Succeeded).GroupBy(a => a.ProblemCode).Select(g => $"{g.Key} ×{g.Count()}"))})");
        Assert.NotEmpty(duringPause);

        FaultAssertions.AssertEveryVoterGotAReceipt(load, output);
        var recount = FaultAssertions.AssertEveryReceiptStoredOnce(cluster, load, await BallotRecount.ReadAsync(cluster, load.RoundId));
        Assert.Equal(Voters, recount.Rows.Count);

        // A receipt given while storage was stopped or just after is true: the ballot is stored with that very code.
        var byVoter = recount.ByVoter;
        Assert.All(receiptsDuringPause, a => Assert.Equal(a.Receipt!.Code, byVoter[a.Voter][0].ReceiptCode));
        output.WriteLine("recount: " + recount.Describe());
        await recount.AssertLiveCountEqualsAsync(cluster, load.RoundId, output, settle: TimeSpan.FromSeconds(15));
        Assert.True(degradation.UntilNormal < pause + TimeSpan.FromSeconds(30), $"voting was degraded for {degradation.UntilNormal.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// Product bug found by this test (docs/operations.md, "Faults"): <c>BallotTable</c> opens its table
    /// client once through a <c>Lazy&lt;Task&lt;TableClient&gt;&gt;</c> (<c>CreateIfNotExistsAsync</c>), and a
    /// Lazy keeps a failed task for good. A silo whose first use of the ballot table meets a storage outage
    /// answers every later ballot on it with 503 <c>ballot-not-stored</c>, in milliseconds, until the process
    /// restarts. Remove the skip once the failed task is no longer cached.
    /// </summary>
    /// <summary>Found by this suite: the ballot table's client was once created through a Lazy that kept a failed creation for good.</summary>
    [Fact]
    public async Task Storage_down_when_a_freshly_started_silo_stores_its_first_ballot_the_silo_stores_ballots_once_storage_is_back()
    {
        var cluster = Fault.Cluster;
        // Silo 2 starts afresh: it has not yet touched the ballot table.
        await cluster.RestartAsync(LocalCluster.SiloOnlyIndex);
        using var load = await VoteLoad.PrepareAsync(Fault, 600, timeout: TimeSpan.FromSeconds(60));

        // The first 150 voters vote while storage is down for 20 s (longer than the ballot write's own retries).
        Fault.PauseStorage();
        Attempt[] during;
        try
        {
            var casting = Task.WhenAll(Enumerable.Range(0, 150).Select(i => load.CastAsync(load.Voters[i], i % 2, load.KeyOf(load.Voters[i]), VoteLoad.BodyOf(i))));
            await Task.Delay(TimeSpan.FromSeconds(20));
            Fault.ResumeStorage();
            during = await casting;
        }
        finally
        {
            Fault.ResumeStorage();
        }

        var back = load.Clock.Elapsed;
        output.WriteLine($"round {load.RoundId}: during the 20 s outage: {string.Join(", ", during.GroupBy(a => a.Outcome).Select(g => $"{g.Key} ×{g.Count()}"))}");
        Assert.All(during, a => Assert.True(a.Succeeded || a.IsClearRetryable, a.ToString()));

        // Storage is back: everyone votes (the first 150 again, same key and body), retrying as told.
        await load.RunAsync(concurrency: 32, perSecond: 100, giveUpAfter: TimeSpan.FromSeconds(20));
        load.Analyse(back, output, "storage came back");
        var late = load.Attempts.Where(a => !a.Succeeded && a.Started > back + TimeSpan.FromSeconds(5)).ToList();
        Assert.True(late.Count == 0, $"{late.Count} ballots were still not stored more than 5 s after storage came back, e.g. {string.Join("; ", late.Take(3))}");

        FaultAssertions.AssertEveryVoterGotAReceipt(load, output);
        var recount = FaultAssertions.AssertEveryReceiptStoredOnce(cluster, load, await BallotRecount.ReadAsync(cluster, load.RoundId));
        Assert.Equal(load.Voters.Length, recount.Rows.Count);
        await recount.AssertLiveCountEqualsAsync(cluster, load.RoundId, output, settle: TimeSpan.FromSeconds(15));
    }
}
