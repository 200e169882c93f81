using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Rounds;

[Collection(ClusterCollection.Name)]
public sealed class ShortlistGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Tokyo = TimeSpan.FromHours(9);

    public static Shortlist Three() => new(
    [
        new(1, "p-1", "提案一", "Proposal one", "概要一", null),
        new(2, "p-2", "提案二", null, "概要二", null),
        new(3, "p-3", "提案三", null, "概要三", "Summary three"),
    ]);

    /// <summary>A round whose voting opens after the test clock's 1 Aug 2024.</summary>
    private async Task<IRoundGrain> RoundBeforeVotingAsync()
    {
        var round = fixture.Grains.GetGrain<IRoundGrain>(RoundSamples.NewRoundId());
        Assert.True((await round.CreateAsync(RoundSamples.Ward2024())).Succeeded);
        return round;
    }

    [Fact]
    public async Task A_shortlist_is_set_before_voting_and_read_back_in_ballot_order()
    {
        var round = await RoundBeforeVotingAsync();
        var shuffled = new Shortlist([.. Three().Entries.Reverse()]);

        var result = await round.SetShortlistAsync(shuffled);

        Assert.True(result.Succeeded, result.Code);
        Assert.Equal(Three(), await round.GetShortlistAsync(), new ShortlistComparer());
    }

    [Fact]
    public async Task Ballot_numbers_must_run_from_one_without_gaps_and_proposals_appear_once()
    {
        var round = await RoundBeforeVotingAsync();

        var gap = await round.SetShortlistAsync(new([new(1, "p-1", "一", null, "", null), new(3, "p-3", "三", null, "", null)]));
        var twice = await round.SetShortlistAsync(new([new(1, "p-1", "一", null, "", null), new(2, "p-1", "一", null, "", null)]));
        var empty = await round.SetShortlistAsync(new([]));

        Assert.Contains(gap.Errors, e => e.Code == RoundErrorCodes.InvalidBallotNumbers);
        Assert.Contains(twice.Errors, e => e.Code == RoundErrorCodes.DuplicateProposal);
        Assert.Equal(RoundErrorCodes.InvalidShortlist, empty.Code);
        Assert.Null(await round.GetShortlistAsync());
    }

    [Fact]
    public async Task The_shortlist_is_frozen_once_voting_opens()
    {
        var round = fixture.Grains.GetGrain<IRoundGrain>(RoundSamples.NewRoundId());
        var opened = RoundSamples.Ward2024() with
        {
            Schedule = RoundSamples.Ward2024().Schedule with
            {
                CallOpens = new DateTimeOffset(2024, 5, 1, 0, 0, 0, Tokyo),
                CallCloses = new DateTimeOffset(2024, 6, 1, 0, 0, 0, Tokyo),
                VotingOpens = new DateTimeOffset(2024, 7, 1, 0, 0, 0, Tokyo),
            },
        };
        Assert.True((await round.CreateAsync(opened)).Succeeded);

        var result = await round.SetShortlistAsync(Three());

        Assert.Equal(RoundErrorCodes.ShortlistLocked, result.Code);
        Assert.Null(await round.GetShortlistAsync());
    }

    private sealed class ShortlistComparer : IEqualityComparer<Shortlist?>
    {
        public bool Equals(Shortlist? x, Shortlist? y) => x is not null && y is not null && x.Entries.SequenceEqual(y.Entries);

        public int GetHashCode(Shortlist? obj) => obj?.Entries.Count ?? 0;
    }
}
