using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>Paper beats online, whatever the order; a second paper ballot is a duplicate; nothing counts twice.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PaperBallotGrainTests(ClusterFixture fixture)
{
    private DateOnly Today => WardClock.Today(fixture.Clock);

    private IBallotGrain Ballot(string roundId, string voterKey) => fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:{voterKey}");

    private async Task<string> RoundWithVoterAsync(params RegisterEntry[] extra)
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, [VotingRounds.Adult("v1", Today), .. extra]);
        return roundId;
    }

    private Task<TallyTotals> LiveTotalsAsync(string roundId) => VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);

    [Fact]
    public async Task Paper_after_online_supersedes_it_tells_the_voter_and_locks_the_online_ballot()
    {
        var roundId = await RoundWithVoterAsync();
        var subject = "voter:" + Guid.NewGuid().ToString("N");
        await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [1, 2], subject));

        var paper = await Ballot(roundId, "v1").ApplyPaperAsync(new("S-001", Today, [5, 6, 7]));
        var change = await Ballot(roundId, "v1").CastOnlineAsync(new("k2", [3], subject));

        Assert.Equal(PaperOutcomes.AcceptedSupersedingOnline, paper.Outcome);
        Assert.Equal(BallotErrorCodes.SupersededByPaper, change.Code);
        var view = await Ballot(roundId, "v1").GetAsync();
        Assert.True(view.SupersededByPaper);
        Assert.Equal(BallotChannel.Paper, view.Counted!.Channel);
        var totals = await LiveTotalsAsync(roundId);
        Assert.Equal((0, 1), (totals.OnlineVoters, totals.PaperVoters));
        Assert.Equal(new Dictionary<int, int> { [5] = 1, [6] = 1, [7] = 1 }, totals.VotesByBallotNumber);
        var notices = await fixture.Grains.GetGrain<INotificationInboxGrain>(subject).ListAsync(10);
        Assert.Contains(notices, n => n.Kind == "ballot-superseded");
    }

    [Fact]
    public async Task Paper_before_online_makes_the_online_ballot_refused()
    {
        var roundId = await RoundWithVoterAsync();

        var paper = await Ballot(roundId, "v1").ApplyPaperAsync(new("S-001", Today, [4]));
        var online = await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [1]));

        Assert.Equal(PaperOutcomes.Accepted, paper.Outcome);
        Assert.Equal(BallotErrorCodes.SupersededByPaper, online.Code);
        Assert.Equal(new Dictionary<int, int> { [4] = 1 }, (await LiveTotalsAsync(roundId)).VotesByBallotNumber);
    }

    [Fact]
    public async Task Paper_and_online_at_the_same_moment_end_with_paper_counted_once()
    {
        var roundId = await RoundWithVoterAsync();

        var online = Ballot(roundId, "v1").CastOnlineAsync(new("k1", [1]));
        var paper = Ballot(roundId, "v1").ApplyPaperAsync(new("S-001", Today, [2]));
        await Task.WhenAll(online, paper);

        Assert.True((await paper).Counted);
        var totals = await LiveTotalsAsync(roundId);
        Assert.Equal((0, 1), (totals.OnlineVoters, totals.PaperVoters));
        Assert.Equal(new Dictionary<int, int> { [2] = 1 }, totals.VotesByBallotNumber);
    }

    [Fact]
    public async Task A_second_paper_ballot_is_a_duplicate_and_the_same_serial_again_repeats_its_outcome()
    {
        var roundId = await RoundWithVoterAsync();
        await Ballot(roundId, "v1").ApplyPaperAsync(new("S-001", Today, [1]));

        var second = await Ballot(roundId, "v1").ApplyPaperAsync(new("S-002", Today, [2]));
        var again = await Ballot(roundId, "v1").ApplyPaperAsync(new("S-001", Today, [1]));
        var secondAgain = await Ballot(roundId, "v1").ApplyPaperAsync(new("S-002", Today, [2]));

        Assert.Equal(PaperOutcomes.Duplicate, second.Outcome);
        Assert.Equal(PaperOutcomes.Accepted, again.Outcome);
        Assert.Equal(PaperOutcomes.Duplicate, secondAgain.Outcome);
        var totals = await LiveTotalsAsync(roundId);
        Assert.Equal(1, totals.PaperVoters);
        Assert.Equal(new Dictionary<int, int> { [1] = 1 }, totals.VotesByBallotNumber);
    }

    [Theory]
    [InlineData(new int[0], BallotErrorCodes.NoChoice)]
    [InlineData(new[] { 1, 2, 3, 4 }, BallotErrorCodes.TooManyChoices)]
    [InlineData(new[] { 9 }, BallotErrorCodes.UnknownProposal)]
    public async Task A_spoiled_paper_ballot_is_recorded_invalid_and_leaves_the_online_ballot_counted(int[] choices, string reason)
    {
        var roundId = await RoundWithVoterAsync();
        await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [3]));

        var spoiled = await Ballot(roundId, "v1").ApplyPaperAsync(new("S-001", Today, choices));

        Assert.Equal((PaperOutcomes.Invalid, reason), (spoiled.Outcome, spoiled.Reason));
        Assert.Equal(new Dictionary<int, int> { [3] = 1 }, (await LiveTotalsAsync(roundId)).VotesByBallotNumber);
    }

    [Fact]
    public async Task Paper_from_someone_under_age_on_the_cast_date_or_not_on_the_register_or_outside_the_window_is_ineligible()
    {
        var young = new RegisterEntry("young", "ワカイ", Today.AddDays(5).AddYears(-18), "102-8688");
        var roundId = await RoundWithVoterAsync(young);

        var underAge = await Ballot(roundId, "young").ApplyPaperAsync(new("S-001", Today, [1]));
        var stranger = await Ballot(roundId, "nobody").ApplyPaperAsync(new("S-002", Today, [1]));
        var tooEarly = await Ballot(roundId, "v1").ApplyPaperAsync(new("S-003", Today.AddDays(-10), [1]));

        Assert.Equal((PaperOutcomes.Ineligible, BallotErrorCodes.UnderAge), (underAge.Outcome, underAge.Reason));
        Assert.Equal((PaperOutcomes.Ineligible, BallotErrorCodes.NotOnRegister), (stranger.Outcome, stranger.Reason));
        Assert.Equal((PaperOutcomes.Ineligible, BallotErrorCodes.CastDateOutsideWindow), (tooEarly.Outcome, tooEarly.Reason));
        Assert.Equal(0, (await LiveTotalsAsync(roundId)).Voters);
    }
}
