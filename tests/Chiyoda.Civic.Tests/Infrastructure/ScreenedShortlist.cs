using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The grain-level twin of <c>Chiyoda.Civic.Replay.ShortlistThroughScreening</c>, for TestCluster tests: a round's
/// shortlist built the one way there is. While the round's call for proposals is open (on the silo's clock),
/// residents create and submit the proposals, the administrator assigns the screener to every stage, the
/// screener scores where a stage is scored and advances each proposal to selected, and the administrator
/// publishes them in the given order through the screening grain.
/// </summary>
public static class ScreenedShortlist
{
    public static readonly Actor Administrator = new("admin", "管理者", IsAdministrator: true);
    public static readonly Actor Screener = new("screener", "審査担当", IsScreener: true);

    /// <summary>Proposal n: "提案 n" / "Proposal n", summary "概要 n".</summary>
    public static ProposalContent Content(int n) =>
        new($"提案 {n}", $"概要 {n}", "課題", "解決策", "効果", "administration", ProposerRelation.Lives, null, $"Proposal {n}");

    /// <summary>Proposals p-001..p-00n (<see cref="Content"/>) submitted, screened to selected and published in that order.</summary>
    public static Task<Shortlist> PublishAsync(IGrainFactory grains, string roundId, int count = 7) =>
        PublishAsync(grains, roundId, [.. Enumerable.Range(1, count).Select(n => ($"p-{n:000}", Content(n)))]);

    public static async Task<Shortlist> PublishAsync(IGrainFactory grains, string roundId, IReadOnlyList<(string Id, ProposalContent Content)> ballot)
    {
        await SelectAsync(grains, roundId, ballot);
        var published = await grains.GetGrain<IScreeningGrain>(roundId).PublishShortlistAsync(Administrator, [.. ballot.Select(p => p.Id)]);
        Assert.True(published.Succeeded, published.Code);
        return published.Value!.Shortlist!;
    }

    /// <summary>Submits the proposals (proposal i by resident i mod 4) and screens each to selected, without publishing.</summary>
    public static async Task SelectAsync(IGrainFactory grains, string roundId, IReadOnlyList<(string Id, ProposalContent Content)> proposals)
    {
        var screening = grains.GetGrain<IScreeningGrain>(roundId);
        var stages = (await screening.GetConfigAsync()).Setup.Stages;
        Ok(await screening.AssignStagesAsync(Administrator, new ScreenerAssignment(Screener.Sub, Screener.Name, [.. stages.Select(s => s.Number)])));
        await Task.WhenAll(proposals.Select(async (p, i) =>
        {
            var author = new Actor($"proposer-{i % 4 + 1}", $"提案者 {i % 4 + 1}");
            var proposal = grains.GetGrain<IProposalGrain>($"{roundId}:{p.Id}");
            Ok(await proposal.CreateAsync(author, p.Content));
            Ok(await proposal.SubmitAsync(author));
            foreach (var stage in stages)
            {
                if (stage.Kind == StageKind.Scored)
                {
                    Ok(await proposal.ScoreAsync(Screener, stage.Number, stage.Criteria.ToDictionary(c => c.Id, _ => 4)));
                }

                Ok(await proposal.DecideAsync(Screener, stage.Number, $"stage-{stage.Number}", DecisionKind.Advance, null));
            }
        }));
    }

    private static void Ok(CommandResult<ProposalView> result) => Assert.True(result.Succeeded, result.Code);

    private static void Ok(CommandResult<ScreeningOutcome> result) => Assert.True(result.Succeeded, result.Code);
}
