using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>
/// Issue 7, "Duplicate storms": 1,000 concurrent identical requests (same voter, key and body) give one
/// receipt and one stored ballot; 1,000 concurrent different requests for one voter, while the silo that
/// holds the voter's ballot is SIGKILLed, leave exactly one stored ballot, counted once.
/// </summary>
[Trait(Tier.Name, Tier.Faults)]
[Collection(FaultCollection.Name)]
public sealed class DuplicateStormTests(FaultCluster fault, ITestOutputHelper output) : FaultTest(fault)
{
    private const int Storm = 1000;

    [Fact]
    public async Task A_thousand_identical_requests_at_once_give_one_receipt_and_one_stored_ballot()
    {
        var cluster = Fault.Cluster;
        using var load = await VoteLoad.PrepareAsync(Fault, 1);
        var voter = load.Voters[0];
        var key = "storm-" + Guid.NewGuid().ToString("N");
        int[] body = [2, 4, 6];

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, Storm).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await load.CastAsync(voter, i % 2, key, body);
        })).ToList();
        start.SetResult();
        var answers = await Task.WhenAll(requests);
        output.WriteLine($"round {load.RoundId}: {answers.Length} identical requests in {answers.Max(a => a.Ended).TotalSeconds - answers.Min(a => a.Started).TotalSeconds:0.0} s: " +
                         string.Join(", ", answers.GroupBy(a => a.Succeeded ? "200 " + a.Receipt!.Code : a.Outcome).Select(g => $"{g.Key} ×{g.Count()}")));

        // Every answer is the one receipt, or something to retry (never a refusal, a second receipt or a 500).
        var receipts = answers.Where(a => a.Succeeded).Select(a => a.Receipt!).ToList();
        Assert.NotEmpty(receipts);
        Assert.All(answers.Where(a => !a.Succeeded), a => Assert.True(a.IsClearRetryable || a.Status == 429, $"not a receipt nor retryable: {a}"));
        var receipt = Assert.Single(receipts.DistinctBy(r => (r.Code, r.Version)));
        Assert.Equal(1, receipt.Version);
        Assert.Equal(body, receipt.Choices);

        // The ones told to retry get the same receipt when they do.
        foreach (var retry in answers.Where(a => !a.Succeeded).Take(20))
        {
            var again = await load.CastAsync(voter, 0, key, body);
            Assert.True(again.Succeeded, $"retry: {again}");
            Assert.Equal((receipt.Code, receipt.Version), (again.Receipt!.Code, again.Receipt.Version));
        }

        var recount = await BallotRecount.ReadAsync(cluster, load.RoundId);
        var stored = Assert.Single(recount.Rows);
        Assert.Equal((voter, 1, receipt.Code, 1), (stored.VoterKey, stored.Version, stored.ReceiptCode, stored.ReceiptVersion));
        await recount.AssertLiveCountEqualsAsync(cluster, load.RoundId, output, settle: TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_thousand_different_requests_for_one_voter_while_its_silo_is_killed_leave_one_ballot_counted_once()
    {
        var cluster = Fault.Cluster;
        using var load = await VoteLoad.PrepareAsync(Fault, 1);
        var voter = load.Voters[0];

        // The voter's first ballot activates their ballot grain; the silo that holds it is the one to kill.
        var first = await load.CastAsync(voter, 0, "first-" + Guid.NewGuid().ToString("N"), [1]);
        Assert.True(first.Succeeded, first.ToString());
        var client = await cluster.ClientAsync();
        var host = await client.GetGrain<IManagementGrain>(0).GetActivationAddress(client.GetGrain<IBallotGrain>($"{load.RoundId}:{voter}"));
        Assert.NotNull(host);
        var victim = cluster.IndexOf(host);
        output.WriteLine($"round {load.RoundId}: voter {voter}'s ballot grain is on silo {victim}; it is killed during the storm");

        // 1,000 different ballots (keys and bodies), all sent at once over both front ends.
        int[][] bodies = [.. from a in Enumerable.Range(1, 7) from b in Enumerable.Range(a, 8 - a) from c in Enumerable.Range(b, 8 - b)
                             select new[] { a, b, c }.Distinct().ToArray()];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = 0;
        var requests = Enumerable.Range(0, Storm).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var attempt = await load.CastAsync(voter, i % 2, $"storm-{i}-{Guid.NewGuid():N}", bodies[i % bodies.Length]);
            Interlocked.Increment(ref answered);
            return attempt;
        })).ToList();
        start.SetResult();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref answered) < Storm / 10 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(5);
        }

        var killedAt = load.Clock.Elapsed;
        await cluster.KillAsync(victim);
        output.WriteLine($"silo {victim} SIGKILLed after {Volatile.Read(ref answered)} of the storm's answers");
        var answers = await Task.WhenAll(requests);
        foreach (var (when, part) in new[] { ("before the kill", answers.Where(a => a.Ended < killedAt)), ("after the kill", answers.Where(a => a.Ended >= killedAt)) })
        {
            output.WriteLine($"storm answers {when}: " + string.Join(", ", part.GroupBy(a => $"{a.Outcome} via front end {a.FrontEnd}").OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}")));
        }

        // Nothing but receipts, the change limit (429), retryable 503s, or no answer from a killed front end.
        var unexpected = answers.Where(a => !a.Succeeded && !a.IsClearRetryable && a.Status != 429 && !(a.Status == 0 && a.FrontEnd == victim)).ToList();
        Assert.True(unexpected.Count == 0, $"unexpected answers: {string.Join("; ", unexpected.Take(10))}");

        // Once the cluster has taken the silo's death in, the callers that got no answer retry with their own key and body.
        var survivor = victim == 0 ? 1 : 0;
        load.Down[victim] = true;
        var retried = new List<Attempt>();
        var retriesFrom = load.Attempts.Count;
        foreach (var failed in answers.Where(a => a.Status is 0 or 503).Take(8))
        {
            var deadline = load.Clock.Elapsed + TimeSpan.FromSeconds(60);
            Attempt again;
            do
            {
                again = await load.CastAsync(voter, survivor, failed.Key, bodies[int.Parse(failed.Key.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture) % bodies.Length]);
                if (again.Status is 200 or 429)
                {
                    break;
                }

                await Task.Delay(500);
            }
            while (load.Clock.Elapsed < deadline);
            Assert.True(again.Status is 200 or 429, $"retry of {failed.Key}: {again}");
            retried.Add(again);
        }

        if (answers.Where(a => a.Status == 503).Select(a => (a.Ended - killedAt).TotalSeconds).Order().ToArray() is { Length: > 0 } unavailable)
        {
            // Calls already sent to the dead silo are held until the cluster declares it dead, then fail.
            output.WriteLine($"503s came {unavailable[0]:0.0}–{unavailable[^1]:0.0} s after the kill");
        }

        var retries = load.Attempts.Skip(retriesFrom).ToList();
        output.WriteLine($"the storm's last answer came {(answers.Max(a => a.Ended) - killedAt).TotalSeconds:0.0} s after the kill; " +
                         $"retries of {retried.Count} failed requests: {retries.Count} requests ({string.Join(", ", retries.GroupBy(a => a.Outcome).Select(g => $"{g.Key} ×{g.Count()}"))}), " +
                         $"the first receipt {(retries.FirstOrDefault(a => a.Succeeded) is { } ok ? $"{(ok.Ended - killedAt).TotalSeconds:0.0} s" : "never")} after the kill");

        // No version was acknowledged with two different receipts: two activations never both stored a change.
        var acknowledged = answers.Concat(retried).Prepend(first).Where(a => a.Succeeded).Select(a => a.Receipt!).DistinctBy(r => r.Code).ToList();
        var clashes = acknowledged.GroupBy(r => r.Version).Where(g => g.Count() > 1).ToList();
        Assert.True(clashes.Count == 0, "versions acknowledged with more than one receipt: " + string.Join("; ", clashes.Select(g => $"v{g.Key}: {string.Join(", ", g.Select(r => r.Code))}")));

        // Exactly one stored ballot, of at most 3 choices, at least as new as the newest receipt (and that one, if none newer was stored).
        var recount = await BallotRecount.ReadAsync(cluster, load.RoundId);
        var stored = Assert.Single(recount.Rows);
        output.WriteLine($"stored: {stored}; receipts acknowledged: {acknowledged.Count}, newest v{acknowledged.Max(r => r.Version)}");
        Assert.Equal(voter, stored.VoterKey);
        Assert.InRange(stored.Choices.Length, 1, 3);
        var newest = acknowledged.MaxBy(r => r.Version)!;
        Assert.True(stored.ReceiptVersion >= newest.Version, $"stored v{stored.ReceiptVersion} is older than acknowledged v{newest.Version}");
        if (stored.ReceiptVersion == newest.Version)
        {
            Assert.Equal(newest.Code, stored.ReceiptCode);
            Assert.Equal(newest.Choices, stored.Choices);
        }

        Assert.Contains(bodies.Append([1]), b => b.SequenceEqual(stored.Choices));
        Assert.Equal(1, recount.OnlineVoters);
        await recount.AssertLiveCountEqualsAsync(cluster, load.RoundId, output, settle: TimeSpan.FromSeconds(20));
    }
}
