using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Results;

[Collection(ClusterCollection.Name)]
public sealed class ResultsGrainTests(ClusterFixture fixture)
{
    private static CountReport Count(bool matches, params (int Number, int Votes)[] votes)
    {
        var proposals = votes.Select(v => new ProposalVotes(v.Number, $"p-{v.Number:000}", $"提案 {v.Number}", null, v.Votes, 1 + votes.Count(o => o.Votes > v.Votes), votes.Count(o => o.Votes == v.Votes) > 1)).ToList();
        var table = new ResultTable(2, 0, votes.Sum(v => v.Votes), proposals, 0, 0, 10, []);
        return new CountReport(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, "admin", table, 2, 0, votes.ToDictionary(v => v.Number, v => v.Votes),
            matches ? [] : [new CountDifference("votes-1", 2, 3)], 2, 0);
    }

    private static IReadOnlyList<PublishedBallot> Ballots(params int[][] ballots) =>
        [.. ballots.Select((b, i) => new PublishedBallot($"b{i}", BallotChannel.Online, b))];

    [Fact]
    public async Task The_round_closes_on_schedule_once_and_the_reminder_can_be_registered()
    {
        var now = fixture.Clock.GetUtcNow();
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, now, window: (TimeSpan.FromDays(-1), TimeSpan.FromHours(1)));
        var watch = fixture.Grains.GetGrain<ICloseWatchGrain>(ICloseWatchGrain.WardKey);
        await watch.StartAsync();

        Assert.DoesNotContain(roundId, await watch.CheckAsync());
        Assert.Null((await fixture.Grains.GetGrain<IResultsGrain>(roundId).GetAsync()).Close);

        // Orleans runs reminders on the silo's clock: moving it past the close may already fire the
        // reminder, which does the same check. Either way the close is recorded once.
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await watch.CheckAsync();
        Assert.DoesNotContain(roundId, await watch.CheckAsync());

        var close = (await fixture.Grains.GetGrain<IResultsGrain>(roundId).GetAsync()).Close!;
        Assert.False(close.Early);
        Assert.Equal(now.AddHours(1), close.ClosedAt);
    }

    [Fact]
    public async Task A_certified_count_is_immutable_and_a_mismatch_is_never_certified()
    {
        var results = fixture.Grains.GetGrain<IResultsGrain>(Guid.NewGuid().ToString("N"));
        var refused = await results.CertifyAsync(Count(false, (1, 2), (2, 1)), Ballots([1, 2], [1]), 2, "admin", "管理者");
        Assert.Equal(ResultsErrorCodes.CountMismatch, refused.Code);
        Assert.Null((await results.GetAsync()).Certified);

        var first = await results.CertifyAsync(Count(true, (1, 2), (2, 1)), Ballots([1, 2], [1]), 2, "admin", "管理者");
        Assert.True(first.Succeeded, first.Code);
        var second = await results.CertifyAsync(Count(true, (1, 5), (2, 0)), Ballots([1], [1], [1], [1], [1]), 2, "admin", "管理者");
        Assert.True(second.Succeeded);
        Assert.Equal(first.Value!.Certified!.CountId, second.Value!.Certified!.CountId);
        Assert.Equal(3, second.Value.Certified.Table.Votes);
        Assert.Equal(2, second.Value.Certified.Ballots);
        Assert.Equal([1, 2], second.Value.Adoption!.Adopted);
    }

    [Fact]
    public void Default_adoption_leaves_a_tie_across_the_cut_off_undecided()
    {
        var table = Count(true, (1, 5), (2, 3), (3, 3), (4, 1)).Recount;
        var adoption = Adoption.Default(table.Proposals, 2, DateTimeOffset.UtcNow, "admin", "管理者");
        Assert.Equal([1], adoption.Adopted);
        Assert.Equal([2, 3], adoption.TiedAtCutoff);
        Assert.True(adoption.Unresolved);

        var clear = Adoption.Default(Count(true, (1, 5), (2, 5), (3, 3)).Recount.Proposals, 2, DateTimeOffset.UtcNow, "admin", "管理者");
        Assert.Equal([1, 2], clear.Adopted);
        Assert.Empty(clear.TiedAtCutoff);
    }

    [Fact]
    public void Rounds_stored_without_an_adoption_count_read_it_as_two()
    {
        var rules = System.Text.Json.JsonSerializer.Deserialize<RoundRules>("""{"MaxVotesPerVoter":3,"MinimumAge":18,"MaxProposalsPerProposer":3}""")!;
        Assert.Equal(2, rules.AdoptedCount);
        Assert.Equal(RoundRules.WardDefaults, rules);
    }
}
