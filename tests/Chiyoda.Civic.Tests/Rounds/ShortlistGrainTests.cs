using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Rounds;

/// <summary>The round's shortlist: only selected proposals reach it, through the screening grain, and it freezes when voting opens.</summary>
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

    /// <summary>A round whose call for proposals is open on the test clock.</summary>
    private async Task<(string RoundId, IRoundGrain Round)> RoundInItsCallAsync()
    {
        var now = fixture.Clock.GetUtcNow();
        var roundId = RoundSamples.NewRoundId();
        var round = fixture.Grains.GetGrain<IRoundGrain>(roundId);
        var definition = RoundSamples.Ward2024() with
        {
            Schedule = new RoundSchedule(now.AddDays(-30), now.AddDays(1), now.AddDays(2), now.AddDays(30), now.AddDays(40)),
        };
        Assert.True((await round.CreateAsync(definition)).Succeeded);
        return (roundId, round);
    }

    [Fact]
    public async Task A_shortlist_published_through_screening_is_read_back_in_ballot_order_as_the_proposers_wrote_it()
    {
        var (roundId, round) = await RoundInItsCallAsync();
        var three = new[] { 1, 2, 3 }.Select(n => ($"p-{n:000}", ScreenedShortlist.Content(n) with { SummaryEn = n == 2 ? "Summary two" : null })).ToList();

        await ScreenedShortlist.PublishAsync(fixture.Grains, roundId, [three[2], three[0], three[1]]);

        var shortlist = await round.GetShortlistAsync();
        Assert.NotNull(shortlist);
        Assert.Equal(
            [new(1, "p-003", "提案 3", "Proposal 3", "概要 3", null), new(2, "p-001", "提案 1", "Proposal 1", "概要 1", null), new ShortlistEntry(3, "p-002", "提案 2", "Proposal 2", "概要 2", "Summary two")],
            shortlist.Entries);
        var first = await fixture.Grains.GetGrain<IProposalGrain>($"{roundId}:p-003").GetAsync();
        Assert.Equal((ProposalStatus.Shortlisted, 1), (first!.Status, first.BallotNumber));
    }

    [Fact]
    public async Task The_round_takes_no_entry_that_is_not_a_selected_proposal_as_its_proposer_wrote_it()
    {
        var (roundId, round) = await RoundInItsCallAsync();
        await ScreenedShortlist.SelectAsync(fixture.Grains, roundId, [("p-001", ScreenedShortlist.Content(1))]);
        var author = new Actor("proposer-9", "提案者");
        var submitted = fixture.Grains.GetGrain<IProposalGrain>($"{roundId}:p-002");
        Assert.True((await submitted.CreateAsync(author, ScreenedShortlist.Content(2))).Succeeded);
        Assert.True((await submitted.SubmitAsync(author)).Succeeded);
        var selected = new ShortlistEntry(1, "p-001", "提案 1", "Proposal 1", "概要 1", null);

        var freeTitles = await round.SetShortlistAsync(Three());
        var notSelected = await round.SetShortlistAsync(new([selected, new(2, "p-002", "提案 2", "Proposal 2", "概要 2", null)]));
        var retitled = await round.SetShortlistAsync(new([selected with { Title = "差し替えた題名" }]));
        var screening = await fixture.Grains.GetGrain<IScreeningGrain>(roundId).PublishShortlistAsync(ScreenedShortlist.Administrator, ["p-001", "p-002"]);

        Assert.Equal(ScreeningErrorCodes.NotSelected, freeTitles.Code);
        Assert.Equal(3, freeTitles.Errors.Count);
        Assert.Equal(ScreeningErrorCodes.NotSelected, notSelected.Code);
        Assert.Equal("entries[1]", Assert.Single(notSelected.Errors).Field);
        Assert.Equal(ScreeningErrorCodes.NotSelected, retitled.Code);
        Assert.Equal(ScreeningErrorCodes.NotSelected, screening.Code);
        Assert.Null(await round.GetShortlistAsync());

        // The selected proposal, as written, is accepted: the one way onto the ballot stays open.
        Assert.True((await round.SetShortlistAsync(new([selected]))).Succeeded);
    }

    [Fact]
    public async Task Ballot_numbers_must_run_from_one_without_gaps_and_proposals_appear_once()
    {
        var (_, round) = await RoundInItsCallAsync();

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
}
