using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Grains.Ballots.Storage;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>
/// The ballot write path on Azurite: ballots of many voters share batch transactions (group commit),
/// a grain reads its ballot back after deactivation, and a write whose answer was lost or whose stored
/// ballot changed behind it never leads to a false receipt or a second count.
/// </summary>
[Collection(PaperClusterCollection.Name)]
public sealed class BallotGroupCommitTests(PaperClusterFixture fixture)
{
    private IBallotGrain Ballot(string roundId, string voterKey) => fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:{voterKey}");

    [Fact]
    public async Task Ballots_cast_at_once_share_batch_transactions_and_each_is_stored_and_counted_once()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        var today = WardClock.Today(fixture.Clock);
        var voters = Enumerable.Range(0, 400).Select(n => $"g{n:000}").ToList();
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, [.. voters.Select(v => VotingRounds.Adult(v, today))]);
        var before = fixture.BallotTable.WriteStatistics;

        var results = await Task.WhenAll(voters.Select((v, n) => Ballot(roundId, v).CastOnlineAsync(new($"k-{v}", [1 + n % 7]))));

        Assert.All(results, r => Assert.True(r.Accepted, r.Code));
        var after = fixture.BallotTable.WriteStatistics;
        Assert.Equal(voters.Count, after.Ballots - before.Ballots);
        var transactions = after.Transactions - before.Transactions;
        Assert.True(transactions <= voters.Count / 2, $"{voters.Count} ballots took {transactions} transactions");
        // 16 partitions had writes waiting at once, yet no more transactions went out together than the silo's cap.
        Assert.InRange(fixture.BallotTable.PeakTransactionsInFlight, 1, new BallotStorageOptions().TransactionsInFlight);

        var stored = await StoredVotesAsync(roundId);
        var live = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);
        Assert.Equal(voters.Count, live.OnlineVoters);
        Assert.Equal(stored, live.VotesByBallotNumber.Where(v => v.Value > 0).ToDictionary());
        Assert.Equal(Enumerable.Range(1, 7).ToDictionary(n => n, n => voters.Count / 7 + (n <= voters.Count % 7 ? 1 : 0)), stored);
    }

    [Fact]
    public async Task After_its_grain_was_deactivated_a_ballot_is_read_back_its_retry_replays_and_a_change_counts_once()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, VotingRounds.Adult("v1", WardClock.Today(fixture.Clock)));
        var first = await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [1, 2]));
        Assert.True(first.Accepted, first.Code);

        await fixture.DeactivateIdleGrainsAsync();
        var view = await Ballot(roundId, "v1").GetAsync();
        Assert.Equal((first.Receipt!.Code, first.Receipt.Version), (view.Counted!.Code, view.Counted.Version));
        Assert.Equal([1, 2], view.Counted.Choices);

        await fixture.DeactivateIdleGrainsAsync();
        var retry = await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [1, 2]));
        Assert.True(retry.Replayed);
        Assert.Equal(first.Receipt.Code, retry.Receipt!.Code);

        await fixture.DeactivateIdleGrainsAsync();
        var changed = await Ballot(roundId, "v1").CastOnlineAsync(new("k2", [3]));
        Assert.True(changed.Accepted, changed.Code);
        Assert.Equal(2, changed.Receipt!.Version);

        var live = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);
        Assert.Equal(1, live.OnlineVoters);
        Assert.Equal(new Dictionary<int, int> { [3] = 1 }, live.VotesByBallotNumber.Where(v => v.Value > 0).ToDictionary());
    }

    [Fact]
    public async Task A_ballot_stored_but_whose_answer_was_lost_is_found_by_the_retry_and_counted_once()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, VotingRounds.Adult("v1", WardClock.Today(fixture.Clock)));
        fixture.Faults.FailAfterNextWriteOf($"ballot/{roundId}:v1");

        await Assert.ThrowsAnyAsync<Exception>(() => Ballot(roundId, "v1").CastOnlineAsync(new("k1", [4, 5])));
        var retry = await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [4, 5]));

        Assert.True(retry.Accepted, retry.Code);
        Assert.True(retry.Replayed, "the retry finds the ballot the lost answer was about");
        Assert.Equal(1, retry.Receipt!.Version);
        var live = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);
        Assert.Equal(new Dictionary<int, int> { [4] = 1, [5] = 1 }, live.VotesByBallotNumber.Where(v => v.Value > 0).ToDictionary());
        Assert.Equal(live.VotesByBallotNumber.Where(v => v.Value > 0).ToDictionary(), await StoredVotesAsync(roundId));
    }

    [Fact]
    public async Task A_ballot_changed_in_storage_since_it_was_read_is_not_overwritten_and_the_retry_counts_once()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, VotingRounds.Adult("v1", WardClock.Today(fixture.Clock)));
        Assert.True((await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [1]))).Accepted);

        // Another writer (a second activation during a failover, say) stores the ballot again: its ETag changes.
        var table = await fixture.BallotTable.ClientAsync();
        var (partitionKey, rowKey) = fixture.BallotTable.Locate($"{roundId}:v1");
        var entity = (await table.GetEntityAsync<TableEntity>(partitionKey, rowKey)).Value;
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);

        await Assert.ThrowsAnyAsync<Exception>(() => Ballot(roundId, "v1").CastOnlineAsync(new("k2", [2])));
        var retry = await Ballot(roundId, "v1").CastOnlineAsync(new("k2", [2]));

        Assert.True(retry.Accepted, retry.Code);
        Assert.Equal(2, retry.Receipt!.Version);
        var live = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);
        Assert.Equal(new Dictionary<int, int> { [2] = 1 }, live.VotesByBallotNumber.Where(v => v.Value > 0).ToDictionary());
    }

    [Fact]
    public async Task The_live_count_is_rebuilt_from_the_stored_ballots_when_its_shards_start_afresh()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        var today = WardClock.Today(fixture.Clock);
        var voters = Enumerable.Range(0, 60).Select(n => $"r{n:00}").ToList();
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, [.. voters.Select(v => VotingRounds.Adult(v, today))]);
        await Task.WhenAll(voters.Select((v, n) => Ballot(roundId, v).CastOnlineAsync(new($"k-{v}", [1 + n % 3, 4]))));
        Assert.Equal(PaperOutcomes.AcceptedSupersedingOnline, (await Ballot(roundId, voters[0]).ApplyPaperAsync(new("S-1", today, [7]))).Outcome);
        var before = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);

        await fixture.DeactivateIdleGrainsAsync();
        var after = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);

        Assert.Equal((59, 1), (after.OnlineVoters, after.PaperVoters));
        Assert.Equal(before.VotesByBallotNumber.Where(v => v.Value > 0).ToDictionary(), after.VotesByBallotNumber.Where(v => v.Value > 0).ToDictionary());
        Assert.Equal(await StoredVotesAsync(roundId), after.VotesByBallotNumber.Where(v => v.Value > 0).ToDictionary());
    }

    /// <summary>Votes per ballot number summed over the ballots as stored (the recount), not the live tally.</summary>
    private async Task<Dictionary<int, int>> StoredVotesAsync(string roundId)
    {
        var votes = new Dictionary<int, int>();
        foreach (var choices in await fixture.BallotTable.ReadRoundAsync(roundId, (voterKey, state) => state.Contribution(voterKey).Choices))
        {
            foreach (var choice in choices)
            {
                votes[choice] = votes.GetValueOrDefault(choice) + 1;
            }
        }

        return votes;
    }
}
