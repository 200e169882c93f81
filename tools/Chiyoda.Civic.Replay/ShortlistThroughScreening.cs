using System.Globalization;
using Chiyoda.Civic.Client;
using Chiyoda.Civic.Client.Models;

namespace Chiyoda.Civic.Replay;

/// <summary>A proposal as a resident submits it; what it says is what the ballot will print.</summary>
public sealed record ChainProposal(string ProposalId, string Title, string? TitleEn, string Summary, string? SummaryEn = null, string Category = "administration");

/// <summary>A round's five instants, in the order the round goes through them.</summary>
public sealed record ChainSchedule(DateTimeOffset CallOpens, DateTimeOffset CallCloses, DateTimeOffset VotingOpens, DateTimeOffset VotingCloses, DateTimeOffset ResultsDue);

/// <summary>
/// A round with its shortlist built the one way the platform allows, through the API: the round is created
/// with its call for proposals open; residents create and submit the proposals; the call closes; an
/// administrator assigns the screener to every stage of the round's screening set-up; the screener scores
/// where a stage is scored and advances the proposals stage by stage until they are selected; an
/// administrator publishes the shortlist in ballot order; then the round takes its final schedule (voting
/// open, not yet open, or closed). The replay, the load generator and the tests set rounds up with it, through the API
/// client generated from the OpenAPI document (<see cref="CivicApiClient"/>).
/// </summary>
/// <remarks>
/// Every call here is safe to repeat (creations carry their own ids and a repeat with the same content is answered as
/// the first; the rest set rather than add), so each is sent again on a 503, as a client should while a silo is
/// replaced: the fault tests set rounds up on a cluster that has just lost or restarted one.
/// </remarks>
/// <param name="clientFor">An API client signed in as the named development account.</param>
public sealed class ShortlistThroughScreening(Func<string, Task<HttpClient>> clientFor, TextWriter? log = null)
{
    public const string Administrator = "admin";
    public const string Screener = "screener";

    /// <summary>
    /// The residents who propose (register-style accounts of the development provider, kept apart from the named
    /// residents so their inboxes are not filled): proposal i is proposer i mod 4's, so a round takes up to four
    /// times its per-proposer limit.
    /// </summary>
    /// <remarks>
    /// Each round has its own residents ("voter:{roundId}-proposer-n"), as a real ward's rounds do: the platform limits
    /// how fast one account may create proposals, and a test run that sets up dozens of rounds must not look like one
    /// resident flooding the ward.
    /// </remarks>
    public static IReadOnlyList<string> ProposersOf(string roundId) => [.. Enumerable.Range(1, 4).Select(n => $"voter:{roundId}-proposer-{n}")];

    /// <summary>Seven proposals p-001..p-007 ("提案 n", "Proposal n").</summary>
    public static IReadOnlyList<ChainProposal> Seven { get; } =
        [.. Enumerable.Range(1, 7).Select(n => new ChainProposal($"p-{n:000}", $"提案 {n}", $"Proposal {n}", $"概要 {n}", $"Summary {n}"))];

    /// <summary>
    /// Creates <paramref name="roundId"/> and takes <paramref name="ballot"/> from submission to the published
    /// shortlist (ballot numbers in list order), then sets <paramref name="schedule"/>. <paramref name="rules"/>
    /// is the API's rules object (null: the ward's defaults). Returns the published shortlist.
    /// </summary>
    public async Task<Shortlist> CreateRoundAsync(string roundId, string name, string? nameEn, ChainSchedule schedule,
        RoundRequest_rules? rules, IReadOnlyList<ChainProposal> ballot)
    {
        var now = DateTimeOffset.UtcNow;
        using var adminHttp = await clientFor(Administrator);
        using var screenerHttp = await clientFor(Screener);
        var admin = CivicApi.For(adminHttp).Api.V1.Rounds[roundId];
        var screener = CivicApi.For(screenerHttp).Api.V1.Rounds[roundId];
        var residents = ProposersOf(roundId);
        var proposers = await Task.WhenAll(residents.Take(Math.Max(1, Math.Min(ballot.Count, residents.Count))).Select(clientFor));
        RoundRequest Round(ChainSchedule s) => new()
        {
            Name = name,
            NameEn = nameEn,
            Schedule = new RoundRequest_schedule
            {
                CallOpens = Ward(s.CallOpens),
                CallCloses = Ward(s.CallCloses),
                VotingOpens = Ward(s.VotingOpens),
                VotingCloses = Ward(s.VotingCloses),
                ResultsDue = Ward(s.ResultsDue),
            },
            Rules = rules,
        };

        // While proposals are taken, voting is at least a day away, whatever the final schedule says.
        var callCloses = now.AddDays(1);
        var votingOpens = Later(schedule.VotingOpens, callCloses);
        var votingCloses = Later(schedule.VotingCloses, votingOpens.AddDays(1));
        var callOpen = new ChainSchedule(Earlier(schedule.CallOpens, now.AddDays(-1)), callCloses, votingOpens, votingCloses, Later(schedule.ResultsDue, votingCloses));
        log?.WriteLine($"round {roundId}: call for proposals open, {ballot.Count} proposals submitted by residents");
        await CivicApi.ExpectRetrying($"create round {roundId}", () => admin.PostAsync(Round(callOpen)));
        try
        {
            await Task.WhenAll(ballot.Select((p, i) => CivicApi.ExpectRetrying($"submit proposal {p.ProposalId}", () =>
                CivicApi.For(proposers[i % proposers.Length]).Api.V1.Rounds[roundId].Proposals.PostAsync(new ProposalRequest
                {
                    ProposalId = p.ProposalId,
                    Title = p.Title,
                    TitleEn = p.TitleEn,
                    Summary = p.Summary,
                    SummaryEn = p.SummaryEn,
                    Problem = "手続きや情報が紙と窓口に頼っている。",
                    Solution = p.Summary,
                    ExpectedEffect = "区民の手間が減る。",
                    Category = p.Category,
                    Relation = ProposalRequest_relation.Lives,
                    Submit = true,
                }))));
        }
        finally
        {
            foreach (var proposer in proposers)
            {
                proposer.Dispose();
            }
        }

        // The call closes (when the final schedule has it closed) before staff screen.
        if (schedule.CallCloses <= now)
        {
            await CivicApi.ExpectRetrying($"close the call of {roundId}", () => admin.PutAsync(Round(callOpen with { CallOpens = schedule.CallOpens, CallCloses = schedule.CallCloses })));
        }

        var setup = await CivicApi.ExpectRetrying($"screening set-up of {roundId}", () => admin.Screening.GetAsync());
        var stages = setup?.Stages ?? [];
        await CivicApi.ExpectRetrying($"assign {Screener}", () => admin.Screening.Assignments[Screener].PutAsync(
            new StageAssignmentRequest { Name = "審査担当", Stages = [.. stages.Select(s => s.Number)] }));
        var ids = ballot.Select(p => p.ProposalId).ToList();
        foreach (var stage in stages)
        {
            var number = stage.Number;
            var criteria = stage.Criteria?.Select(c => c.Id!).ToList() ?? [];
            if (criteria.Count > 0)
            {
                await Task.WhenAll(ids.Select(id => CivicApi.ExpectRetrying($"scores of {id} at stage {number}", () => screener.Proposals[id].Reviews.Scores.PostAsync(
                    new ScoreRequest { Stage = number, Scores = new ScoreRequest_scores { AdditionalData = criteria.ToDictionary(c => c, _ => (object)4) } }))));
            }

            var decided = await CivicApi.ExpectRetrying($"advance at stage {number}", () => screener.Screening.Decisions.PostAsync(
                new BulkDecisionRequest { ProposalIds = ids, Stage = number, Decision = BulkDecisionRequest_decision.Advance, BatchId = $"{roundId}-stage-{number}" }));
            if (decided?.FirstOrDefault(d => d.Succeeded != true) is { } refused)
            {
                throw new InvalidOperationException($"screening at stage {number} refused: {refused.ProposalId} {refused.Code}");
            }
        }

        log?.WriteLine($"round {roundId}: {ids.Count} proposals screened through {stages.Count} stages, shortlist published");
        var shortlist = await CivicApi.ExpectRetrying($"publish the shortlist of {roundId}", () => admin.Shortlist.Publish.PostAsync(new ShortlistPublishRequest { ProposalIds = ids }));
        await CivicApi.ExpectRetrying($"schedule of {roundId}", () => admin.PutAsync(Round(schedule)));
        return shortlist!;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>The instant in ward time (+09:00), to the second, as the ward's forms give it.</summary>
    public static DateTimeOffset Ward(DateTimeOffset instant)
    {
        var ward = instant.ToOffset(TimeSpan.FromHours(9));
        return ward.AddTicks(-(ward.Ticks % TimeSpan.TicksPerSecond));
    }

    public static string Iso(DateTimeOffset instant) => instant.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
