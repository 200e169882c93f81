using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Rounds;

[Collection(ClusterCollection.Name)]
public sealed class RoundGrainTests(ClusterFixture fixture)
{
    private IRoundGrain NewRound() => fixture.Grains.GetGrain<IRoundGrain>(RoundSamples.NewRoundId());

    [Fact]
    public async Task A_created_round_reads_back_identical_and_is_listed()
    {
        var round = NewRound();
        var created = await round.CreateAsync(RoundSamples.Ward2024());

        Assert.True(created.Succeeded, created.Code);
        Assert.Equal(1, created.Value!.Version);
        var read = await round.GetAsync();
        Assert.Equal(RoundSamples.Ward2024(), read!.Definition);
        var listed = await fixture.Grains.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey).ListAsync();
        Assert.Contains(listed, r => r.RoundId == read.RoundId && r.Name == read.Definition.Name);
    }

    [Fact]
    public async Task Repeating_a_creation_is_harmless_but_a_different_round_under_the_same_id_is_refused()
    {
        var round = NewRound();
        await round.CreateAsync(RoundSamples.Ward2024());

        var retried = await round.CreateAsync(RoundSamples.Ward2024());
        var other = await round.CreateAsync(RoundSamples.Ward2024("別の募集回"));

        Assert.True(retried.Succeeded);
        Assert.Equal(1, retried.Value!.Version);
        Assert.Equal(RoundErrorCodes.RoundExists, other.Code);
        Assert.Equal(RoundSamples.Ward2024().Name, (await round.GetAsync())!.Definition.Name);
    }

    [Fact]
    public async Task Dates_out_of_order_and_negative_limits_are_refused_and_nothing_is_stored()
    {
        var round = NewRound();
        var good = RoundSamples.Ward2024();
        var bad = good with
        {
            Schedule = good.Schedule with { VotingCloses = good.Schedule.VotingOpens.AddDays(-1) },
            Rules = new RoundRules(MaxVotesPerVoter: -1, MinimumAge: -18, MaxProposalsPerProposer: 0),
        };

        var result = await round.CreateAsync(bad);

        Assert.Equal(RoundErrorCodes.InvalidRound, result.Code);
        Assert.Contains(result.Errors, e => e.Field == "schedule.votingCloses" && e.Code == RoundErrorCodes.DatesOutOfOrder);
        Assert.Contains(result.Errors, e => e.Field == "rules.maxVotesPerVoter" && e.Code == RoundErrorCodes.OutOfRange);
        Assert.Contains(result.Errors, e => e.Field == "rules.minimumAge" && e.Code == RoundErrorCodes.OutOfRange);
        Assert.Contains(result.Errors, e => e.Field == "rules.maxProposalsPerProposer" && e.Code == RoundErrorCodes.OutOfRange);
        Assert.Null(await round.GetAsync());
    }

    [Fact]
    public async Task An_empty_name_is_refused()
    {
        var result = await NewRound().CreateAsync(RoundSamples.Ward2024("  "));
        Assert.Contains(result.Errors, e => e.Field == "name" && e.Code == RoundErrorCodes.Required);
    }

    [Fact]
    public async Task Updating_an_unknown_round_is_refused()
    {
        var result = await NewRound().UpdateAsync(RoundSamples.Ward2024());
        Assert.Equal(RoundErrorCodes.RoundNotFound, result.Code);
    }

    [Fact]
    public async Task An_update_raises_the_version_and_an_identical_update_does_not()
    {
        var round = NewRound();
        await round.CreateAsync(RoundSamples.Ward2024());

        var renamed = await round.UpdateAsync(RoundSamples.Ward2024("改名後"));
        var again = await round.UpdateAsync(RoundSamples.Ward2024("改名後"));

        Assert.Equal(2, renamed.Value!.Version);
        Assert.Equal(2, again.Value!.Version);
        Assert.Equal("改名後", (await round.GetAsync())!.Definition.Name);
    }

    [Fact]
    public async Task Rules_are_locked_once_voting_opens_but_dates_may_still_move()
    {
        // The test clock stands at 1 Aug 2024 (screening); this round's voting opened long before.
        var round = NewRound();
        var definition = RoundSamples.Ward2024() with
        {
            Schedule = RoundSamples.Ward2024().Schedule with
            {
                CallOpens = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.FromHours(9)),
                CallCloses = new DateTimeOffset(2023, 2, 1, 0, 0, 0, TimeSpan.FromHours(9)),
                VotingOpens = new DateTimeOffset(2023, 3, 1, 0, 0, 0, TimeSpan.FromHours(9)),
            },
        };
        Assert.True((await round.CreateAsync(definition)).Succeeded);

        var moreVotes = await round.UpdateAsync(definition with { Rules = definition.Rules with { MaxVotesPerVoter = 5 } });
        var longerWindow = await round.UpdateAsync(definition with
        {
            Schedule = definition.Schedule with { VotingCloses = definition.Schedule.VotingCloses.AddDays(7) },
        });

        Assert.Equal(RoundErrorCodes.RulesLocked, moreVotes.Code);
        Assert.True(longerWindow.Succeeded, longerWindow.Code);
        Assert.Equal(3, (await round.GetAsync())!.Definition.Rules.MaxVotesPerVoter);
    }

    [Fact]
    public async Task An_invalid_round_id_is_refused()
    {
        var result = await fixture.Grains.GetGrain<IRoundGrain>("Bad Id").CreateAsync(RoundSamples.Ward2024());
        Assert.Equal(RoundErrorCodes.InvalidRoundId, result.Code);
    }
}
