using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>What must hold after any fault: nothing acknowledged is missing, nothing is counted twice, the live count is the recount.</summary>
public static class FaultAssertions
{
    /// <summary>
    /// Every voter who was given a receipt is stored exactly once (in their own partition) with the
    /// receipt's code and choices, at version 1 (one ballot each: no retry made a second change), and
    /// nothing is stored for anyone who sent nothing.
    /// </summary>
    public static BallotRecount AssertEveryReceiptStoredOnce(LocalCluster cluster, VoteLoad load, BallotRecount recount)
    {
        var byVoter = recount.ByVoter;
        var twice = byVoter.Where(v => v.Value.Length > 1).Select(v => v.Key).ToList();
        Assert.True(twice.Count == 0, $"stored more than once: {string.Join(", ", twice.Take(20))}");
        var misplaced = recount.Rows.Where(r => r.PartitionKey != BallotRecount.ExpectedPartition(cluster, load.RoundId, r.VoterKey)).ToList();
        Assert.True(misplaced.Count == 0, $"stored outside their partition: {string.Join(", ", misplaced.Take(20))}");

        var sent = load.Attempts.Select(a => a.Voter).ToHashSet(StringComparer.Ordinal);
        var strangers = byVoter.Keys.Where(v => !sent.Contains(v)).ToList();
        Assert.True(strangers.Count == 0, $"stored for voters who sent nothing: {string.Join(", ", strangers.Take(20))}");

        var missing = new List<string>();
        var different = new List<string>();
        foreach (var (voter, receipt) in load.Acknowledged)
        {
            if (!byVoter.TryGetValue(voter, out var rows))
            {
                missing.Add($"{voter} (receipt {receipt.Code})");
                continue;
            }

            var stored = rows[0];
            if (stored.ReceiptCode != receipt.Code || !stored.Choices.SequenceEqual(receipt.Choices) || stored.ReceiptVersion != receipt.Version || stored.Version != 1)
            {
                different.Add($"{voter}: receipt {receipt.Code} v{receipt.Version} [{string.Join(',', receipt.Choices)}], stored {stored.ReceiptCode} v{stored.ReceiptVersion} (count version {stored.Version}) [{string.Join(',', stored.Choices)}]");
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged ballots are not stored: {string.Join(", ", missing.Take(20))}");
        Assert.True(different.Count == 0, $"{different.Count} stored ballots differ from their receipts: {string.Join("; ", different.Take(20))}");
        return recount;
    }

    /// <summary>Every voter of the load ended with a receipt (none refused, none given up), and no answer was a 5xx other than the promised 503.</summary>
    public static void AssertEveryVoterGotAReceipt(VoteLoad load, ITestOutputHelper output)
    {
        var attempts = load.Attempts.ToArray();
        output.WriteLine($"{load.Voters.Length} voters, {attempts.Length} requests, {load.Acknowledged.Count} receipts; answers: " +
                         string.Join(", ", attempts.GroupBy(a => a.Succeeded ? "200" : a.Outcome).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}")));
        Assert.True(load.Refused.IsEmpty, "refused: " + string.Join("; ", load.Refused.Values.Take(10)));
        var unclear = attempts.Where(a => a.Status >= 500 && !a.IsClearRetryable).ToList();
        Assert.True(unclear.Count == 0, $"{unclear.Count} server errors other than 503 with Retry-After and a problem code: {string.Join("; ", unclear.Take(10))}");
        var without = load.Voters.Where(v => !load.Acknowledged.ContainsKey(v)).ToList();
        Assert.True(without.Count == 0, $"{without.Count} voters never got a receipt, e.g. {string.Join("; ", without.Take(5).Select(v => string.Join(" / ", attempts.Where(a => a.Voter == v).Select(a => a.Outcome).TakeLast(3))))}");
    }
}
