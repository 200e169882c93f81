using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Ballots;

[Collection(ClusterCollection.Name)]
public sealed class BallotGrainTests(ClusterFixture fixture)
{
    private DateTimeOffset Now => fixture.Clock.GetUtcNow();

    private DateOnly Today => WardClock.Today(fixture.Clock);

    private IBallotGrain Ballot(string roundId, string voterKey) => fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:{voterKey}");

    private Task<TallyTotals> LiveTotalsAsync(string roundId) => VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);

    private static void AssertSame(BallotReceipt? expected, BallotReceipt? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal((expected.Code, expected.Version, expected.CastAt, expected.Channel), (actual.Code, actual.Version, actual.CastAt, actual.Channel));
        Assert.Equal(expected.Choices, actual.Choices);
    }

    private async Task<string> RoundWithVoterAsync(string voterKey)
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, Now);
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, VotingRounds.Adult(voterKey, Today));
        return roundId;
    }

    [Fact]
    public async Task An_eligible_voter_casts_a_ballot_and_gets_a_receipt_and_it_is_counted()
    {
        var roundId = await RoundWithVoterAsync("v1");

        var result = await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [7, 1, 4]));

        Assert.True(result.Accepted, result.Code);
        Assert.Equal([1, 4, 7], result.Receipt!.Choices);
        Assert.Equal(12, result.Receipt.Code.Length);
        AssertSame(result.Receipt, (await Ballot(roundId, "v1").GetAsync()).Counted);
        var totals = await LiveTotalsAsync(roundId);
        Assert.Equal(1, totals.OnlineVoters);
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [4] = 1, [7] = 1 }, totals.VotesByBallotNumber);
    }

    [Fact]
    public async Task Changing_the_ballot_replaces_it_and_the_last_one_counts()
    {
        var roundId = await RoundWithVoterAsync("v1");
        await Ballot(roundId, "v1").CastOnlineAsync(new("k1", [1, 2, 3]));

        var changed = await Ballot(roundId, "v1").CastOnlineAsync(new("k2", [5]));

        Assert.Equal(2, changed.Receipt!.Version);
        Assert.Equal([5], (await Ballot(roundId, "v1").GetAsync()).Counted!.Choices);
        var totals = await LiveTotalsAsync(roundId);
        Assert.Equal(1, totals.Voters);
        Assert.Equal(new Dictionary<int, int> { [5] = 1 }, totals.VotesByBallotNumber);
    }

    [Theory]
    [InlineData(new int[0], BallotErrorCodes.NoChoice)]
    [InlineData(new[] { 1, 2, 3, 4 }, BallotErrorCodes.TooManyChoices)]
    [InlineData(new[] { 2, 2 }, BallotErrorCodes.DuplicateChoice)]
    [InlineData(new[] { 1, 8 }, BallotErrorCodes.UnknownProposal)]
    [InlineData(new[] { 0 }, BallotErrorCodes.UnknownProposal)]
    public async Task Bad_choices_are_refused_and_nothing_is_stored(int[] choices, string code)
    {
        var roundId = await RoundWithVoterAsync("v1");

        var result = await Ballot(roundId, "v1").CastOnlineAsync(new("k1", choices));

        Assert.Equal(code, result.Code);
        Assert.Null((await Ballot(roundId, "v1").GetAsync()).Counted);
        Assert.Equal(0, (await LiveTotalsAsync(roundId)).Voters);
    }

    [Fact]
    public async Task Someone_not_on_the_register_is_refused()
    {
        var roundId = await RoundWithVoterAsync("v1");
        var result = await Ballot(roundId, "stranger").CastOnlineAsync(new("k1", [1]));
        Assert.Equal(BallotErrorCodes.NotOnRegister, result.Code);
    }

    [Fact]
    public async Task Voting_before_the_window_opens_or_after_it_closes_is_refused()
    {
        var notYet = await VotingRounds.OpenAsync(fixture.Grains, Now, window: (TimeSpan.FromHours(2), TimeSpan.FromDays(3)));
        var closed = await VotingRounds.OpenAsync(fixture.Grains, Now, window: (TimeSpan.FromDays(-3), TimeSpan.FromSeconds(-1)));
        await VotingRounds.RegisterAsync(fixture.Grains, notYet, VotingRounds.Adult("v1", Today));
        await VotingRounds.RegisterAsync(fixture.Grains, closed, VotingRounds.Adult("v1", Today));

        Assert.Equal(BallotErrorCodes.WindowNotOpen, (await Ballot(notYet, "v1").CastOnlineAsync(new("k1", [1]))).Code);
        Assert.Equal(BallotErrorCodes.WindowClosed, (await Ballot(closed, "v1").CastOnlineAsync(new("k1", [1]))).Code);
    }

    [Fact]
    public async Task The_day_before_eligibility_is_refused_with_the_first_day_the_voter_may_vote()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, Now);
        var eligibleTomorrow = Today.AddDays(2).AddYears(-18); // 18th birthday the day after tomorrow: may vote from tomorrow
        var eligibleToday = Today.AddDays(1).AddYears(-18);    // 18th birthday tomorrow: may vote today
        await VotingRounds.RegisterAsync(fixture.Grains, roundId,
            new RegisterEntry("young", "ワカイ", eligibleTomorrow, "102-8688"),
            new RegisterEntry("eve", "ゼンジツ", eligibleToday, "102-8688"));

        var young = await Ballot(roundId, "young").CastOnlineAsync(new("k1", [1]));
        var eve = await Ballot(roundId, "eve").CastOnlineAsync(new("k1", [1]));

        Assert.Equal(BallotErrorCodes.UnderAge, young.Code);
        Assert.Equal(Today.AddDays(1), young.EligibleFrom);
        Assert.True(eve.Accepted, eve.Code);
    }

    [Fact]
    public async Task A_retry_with_the_same_key_returns_the_same_receipt_and_has_no_second_effect()
    {
        var roundId = await RoundWithVoterAsync("v1");
        var first = await Ballot(roundId, "v1").CastOnlineAsync(new("same-key", [2, 3]));

        // The first answer is "lost"; the client sends the same request again.
        var retry = await Ballot(roundId, "v1").CastOnlineAsync(new("same-key", [2, 3]));

        AssertSame(first.Receipt, retry.Receipt);
        Assert.True(retry.Replayed);
        Assert.Equal(1, (await Ballot(roundId, "v1").GetAsync()).Counted!.Version);
        Assert.Equal(new Dictionary<int, int> { [2] = 1, [3] = 1 }, (await LiveTotalsAsync(roundId)).VotesByBallotNumber);
    }

    [Fact]
    public async Task The_same_key_with_another_ballot_is_refused()
    {
        var roundId = await RoundWithVoterAsync("v1");
        await Ballot(roundId, "v1").CastOnlineAsync(new("same-key", [2, 3]));

        var other = await Ballot(roundId, "v1").CastOnlineAsync(new("same-key", [4]));

        Assert.Equal(BallotErrorCodes.IdempotencyKeyReused, other.Code);
        Assert.Equal([2, 3], (await Ballot(roundId, "v1").GetAsync()).Counted!.Choices);
    }

    [Fact]
    public async Task A_hundred_concurrent_different_ballots_for_one_voter_leave_exactly_one_ballot()
    {
        var roundId = await RoundWithVoterAsync("v1");
        var random = new Random(4);
        var ballots = Enumerable.Range(0, 100)
            .Select(i => new OnlineBallot($"k{i}", [.. Enumerable.Range(1, 7).OrderBy(_ => random.Next()).Take(1 + (i % 3))]))
            .ToList();

        var results = await Task.WhenAll(ballots.Select(b => Ballot(roundId, "v1").CastOnlineAsync(b)));

        var accepted = results.Where(r => r.Accepted).Select(r => r.Receipt!).ToList();
        Assert.InRange(accepted.Count, 1, BallotGrainConstants.ChangesPerMinute);
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal(BallotErrorCodes.RateLimited, r.Code));
        var stored = (await Ballot(roundId, "v1").GetAsync()).Counted!;
        AssertSame(accepted.MaxBy(r => r.Version), stored);
        Assert.InRange(stored.Choices.Count, 1, 3);
        var totals = await LiveTotalsAsync(roundId);
        Assert.Equal(1, totals.Voters);
        Assert.Equal(stored.Choices.ToDictionary(c => c, _ => 1), totals.VotesByBallotNumber);
    }

    [Fact]
    public async Task The_live_tally_equals_the_sum_over_stored_ballots_after_many_voters_change_their_minds()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, Now);
        var voters = Enumerable.Range(0, 60).Select(i => $"m{i}").ToList();
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, [.. voters.Select(v => VotingRounds.Adult(v, Today))]);
        var random = new Random(7);

        await Task.WhenAll(voters.Select(async voter =>
        {
            var changes = 1 + random.Next(3);
            for (var i = 0; i < changes; i++)
            {
                int[] choices = [.. Enumerable.Range(1, 7).OrderBy(_ => Guid.NewGuid()).Take(1 + (voter.Length + i) % 3)];
                Assert.True((await Ballot(roundId, voter).CastOnlineAsync(new($"{voter}-{i}", choices))).Accepted);
            }
        }));

        var stored = await Task.WhenAll(voters.Select(v => Ballot(roundId, v).GetAsync()));
        var expected = stored.SelectMany(s => s.Counted!.Choices).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var totals = await LiveTotalsAsync(roundId);
        Assert.Equal(voters.Count, totals.Voters);
        Assert.Equal(expected.OrderBy(e => e.Key), totals.VotesByBallotNumber.OrderBy(e => e.Key));
    }
}

/// <summary>The ballot grain's published limits, as tests rely on them.</summary>
internal static class BallotGrainConstants
{
    public const int ChangesPerMinute = Chiyoda.Civic.Grains.Ballots.BallotGrain.ChangesPerMinute;
}
