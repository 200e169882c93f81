using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>A ballot whose write fails is never acknowledged, and a retry does not find it "remembered".</summary>
[Collection(PaperClusterCollection.Name)]
public sealed class BallotStorageFaultTests(PaperClusterFixture fixture)
{
    private Task<TallyTotals> LiveTotalsAsync(string roundId) => VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);

    [Fact]
    public async Task An_online_ballot_whose_write_fails_is_refused_and_the_retry_stores_it_once()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, VotingRounds.Adult("v1", WardClock.Today(fixture.Clock)));
        var ballot = fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:v1");
        fixture.Faults.FailNextWriteOf($"ballot/{roundId}:v1");

        await Assert.ThrowsAnyAsync<Exception>(() => ballot.CastOnlineAsync(new("k1", [1, 2])));
        Assert.Null((await ballot.GetAsync()).Counted);
        Assert.Equal(0, (await LiveTotalsAsync(roundId)).Voters);

        var retry = await ballot.CastOnlineAsync(new("k1", [1, 2]));

        Assert.True(retry.Accepted, retry.Code);
        Assert.False(retry.Replayed);
        Assert.Equal(1, retry.Receipt!.Version);
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [2] = 1 }, (await LiveTotalsAsync(roundId)).VotesByBallotNumber);
    }

    [Fact]
    public async Task A_paper_ballot_whose_write_fails_is_not_counted_and_the_retry_counts_it_once()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        var today = WardClock.Today(fixture.Clock);
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, VotingRounds.Adult("v1", today));
        var ballot = fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:v1");
        fixture.Faults.FailNextWriteOf($"ballot/{roundId}:v1");

        await Assert.ThrowsAnyAsync<Exception>(() => ballot.ApplyPaperAsync(new("S-1", today, [3])));
        Assert.Equal(0, (await LiveTotalsAsync(roundId)).Voters);

        var retry = await ballot.ApplyPaperAsync(new("S-1", today, [3]));

        Assert.Equal(PaperOutcomes.Accepted, retry.Outcome);
        Assert.Equal((0, 1), ((await LiveTotalsAsync(roundId)).OnlineVoters, (await LiveTotalsAsync(roundId)).PaperVoters));
    }
}
