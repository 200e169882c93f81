using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;
using static Chiyoda.Civic.Tests.Proposals.ProposalSamples;

namespace Chiyoda.Civic.Tests.Security;

/// <summary>
/// The existence checks the web services make before touching a per-id grain: the round directory and
/// the round's proposal index answer for ids they hold (a draft included) and no others, and asking
/// them activates no grain of the id asked about.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ExistenceCheckTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_directory_and_the_index_know_exactly_the_rounds_and_proposals_that_exist()
    {
        var roundId = RoundSamples.NewRoundId();
        var unknownRound = RoundSamples.NewRoundId();
        Assert.True((await fixture.Grains.GetGrain<IRoundGrain>(roundId).CreateAsync(CallOpen(fixture.Clock.GetUtcNow()))).Succeeded);
        Assert.True((await fixture.Grains.GetGrain<IProposalGrain>($"{roundId}:p-draft").CreateAsync(Resident("exists-" + roundId), Content())).Succeeded);
        var directory = fixture.Grains.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey);
        var index = fixture.Grains.GetGrain<IProposalIndexGrain>(roundId);

        Assert.True(await directory.ContainsAsync(roundId));
        Assert.False(await directory.ContainsAsync(unknownRound));
        Assert.True(await index.ContainsAsync("p-draft"));
        Assert.False(await index.ContainsAsync("p-unknown"));

        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        var activations = await management.GetDetailedGrainStatistics();
        Assert.DoesNotContain(activations, a => a.GrainId.Key.ToString()!.Contains("p-unknown", StringComparison.Ordinal));
        Assert.DoesNotContain(activations, a => a.GrainId.Key.ToString() == unknownRound);
        Assert.Contains(activations, a => a.GrainId.Key.ToString() == $"{roundId}:p-draft");
    }
}
