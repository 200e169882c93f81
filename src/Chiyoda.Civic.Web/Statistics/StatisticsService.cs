using System.Text.Json;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Web.Proposals;
using Chiyoda.Civic.Web.Rounds;
using Chiyoda.Civic.Web.Satisfaction;

namespace Chiyoda.Civic.Web.Statistics;

/// <summary>One cell of a breakdown: its group (a category id, relation, channel, age band or rating) and count; null when hidden (1..9).</summary>
public sealed record StatCell(string Group, int? Count);

/// <summary>The statistics of one round whose results are published (EBPM: what the ward reports to its DX committee).</summary>
public sealed record RoundStatistics(
    string RoundId,
    string Name,
    string? NameEn,
    int FiscalYear,
    DateTimeOffset VotingCloses,
    int Proposals,
    IReadOnlyList<StatCell> ByCategory,
    IReadOnlyList<StatCell> ByRelation,
    int Shortlisted,
    int Adopted,
    int Registered,
    int Voters,
    decimal TurnoutPercent,
    IReadOnlyList<StatCell> ByChannel,
    IReadOnlyList<StatCell> ByAgeBand,
    SatisfactionSummary Satisfaction);

/// <summary>A fiscal year's rounds summed (over the years).</summary>
public sealed record YearStatistics(
    int FiscalYear,
    int Rounds,
    int Proposals,
    int Shortlisted,
    int Adopted,
    int Registered,
    int Voters,
    decimal TurnoutPercent,
    SatisfactionSummary Satisfaction);

/// <summary>
/// A published proposal of any round with where it ended (adopted, not-adopted, shortlisted, declined, withdrawn, ...). Its fiscal
/// year is that of the round's adoption, so null until the round's results are published (nothing is adopted before).
/// </summary>
public sealed record FinalProposal(
    string RoundId,
    string ProposalId,
    int? FiscalYear,
    string Title,
    string? TitleEn,
    string Category,
    string Relation,
    int? BallotNumber,
    int? Votes,
    string FinalStatus,
    string? ImplementationStatus);

/// <summary>
/// Statistics across rounds and the ward-wide list of proposals with their final status, built from what the rounds,
/// proposals, certified results and satisfaction grains already hold. Only rounds with published results have statistics
/// (nothing while a vote is open); every breakdown about people hides cells of 1..9 (<see cref="SmallCells"/>).
/// </summary>
public sealed class StatisticsService(IGrainFactory grains, RoundService rounds, ProposalService proposals, SatisfactionService satisfaction)
{
    private const int PageSize = 200;

    public static readonly string[] Relations = ["lives", "works", "studies", "organisation"];
    public static readonly string[] Channels = ["online", "paper", "kiosk"];

    /// <summary>The fewest answers a published satisfaction figure stands for.</summary>
    public int SatisfactionMinimumAnswers => satisfaction.MinimumAnswers;

    public async Task<IReadOnlyList<RoundStatistics>> RoundsAsync()
    {
        var list = new List<RoundStatistics>();
        var records = await RecordsAsync();
        foreach (var round in await rounds.ListAsync())
        {
            var results = await grains.GetGrain<IResultsGrain>(round.RoundId).GetAsync();
            if (!results.IsPublished || results.Certified is not { } certified)
            {
                continue;
            }

            var received = await ReceivedAsync(round.RoundId);
            var table = certified.Table;
            var closes = results.Close?.ClosedAt ?? round.Definition.Schedule.VotingCloses;
            list.Add(new RoundStatistics(round.RoundId, round.Definition.Name, round.Definition.NameEn, FiscalYearOf(round.RoundId, results, closes, records), closes,
                received.Count,
                [.. received.GroupBy(p => p.Content.Category).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new StatCell(g.Key, g.Count()))],
                Cells(Relations, [.. Relations.Select(r => received.Count(p => Kebab(p.Content.Relation) == r))]),
                table.Proposals.Count, results.Adoption?.Adopted.Count ?? 0,
                table.Registered, table.Voters, Percent(table.Voters, table.Registered),
                Cells(Channels, [table.OnlineVoters, table.PaperVoters, table.KioskVoters]),
                [.. table.AgeBands.Select(b => new StatCell(b.To is { } to ? $"{b.From}-{to}" : $"{b.From}+", b.Voters))],
                satisfaction.Summarize(await satisfaction.PublishedTallyAsync(round.RoundId))));
        }

        return [.. list.OrderBy(r => r.VotingCloses).ThenBy(r => r.RoundId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Each fiscal year's rounds summed. Satisfaction: only the rounds whose own satisfaction is published (a snapshot of at least
    /// the minimum number of answers) are summed, so the year's figure minus the published rounds' never reveals a round kept back.
    /// </summary>
    public async Task<IReadOnlyList<YearStatistics>> YearsAsync(IReadOnlyList<RoundStatistics> byRound)
    {
        var years = new List<YearStatistics>();
        foreach (var year in byRound.GroupBy(r => r.FiscalYear).OrderBy(g => g.Key))
        {
            var tallies = (await Task.WhenAll(year.Select(r => satisfaction.PublishedTallyAsync(r.RoundId))))
                .Where(t => t.Total >= satisfaction.MinimumAnswers).ToList();
            var registered = year.Sum(r => r.Registered);
            var voters = year.Sum(r => r.Voters);
            years.Add(new YearStatistics(year.Key, year.Count(), year.Sum(r => r.Proposals), year.Sum(r => r.Shortlisted), year.Sum(r => r.Adopted),
                registered, voters, Percent(voters, registered), satisfaction.Summarize(SatisfactionTally.Sum(tallies))));
        }

        return years;
    }

    /// <summary>Every round's published proposals with their final status (and, for adopted ones, where implementation stands).</summary>
    public async Task<IReadOnlyList<FinalProposal>> ProposalsAsync()
    {
        var records = await RecordsAsync();
        var implementation = records.ToDictionary(s => (s.RoundId, s.ProposalId), s => s.StatusId);
        var list = new List<FinalProposal>();
        foreach (var round in await rounds.ListAsync())
        {
            var results = await grains.GetGrain<IResultsGrain>(round.RoundId).GetAsync();
            Dictionary<int, int> votes = results.IsPublished ? results.Certified!.Table.Proposals.ToDictionary(p => p.BallotNumber, p => p.Votes) : [];
            IReadOnlyList<int> adopted = results.IsPublished ? results.Adoption?.Adopted ?? [] : [];
            // The fiscal year of the adoption: none yet while the results are unpublished (the demo round named 2024 with its vote open
            // today is not "FY2026", and no round is given a year its adoption may not fall in).
            int? year = results.IsPublished ? FiscalYearOf(round.RoundId, results, results.Close?.ClosedAt ?? round.Definition.Schedule.VotingCloses, records) : null;
            foreach (var p in (await ReceivedAsync(round.RoundId)).Where(p => p.IsPublic))
            {
                var final = p.BallotNumber is { } number && results.IsPublished
                    ? adopted.Contains(number) ? "adopted" : "not-adopted"
                    : Kebab(p.Status);
                list.Add(new FinalProposal(round.RoundId, p.ProposalId, year, p.Content.Title, p.Content.TitleEn, p.Content.Category, Kebab(p.Content.Relation),
                    p.BallotNumber, p.BallotNumber is { } n && votes.TryGetValue(n, out var v) ? v : null, final,
                    implementation.GetValueOrDefault((round.RoundId, p.ProposalId))));
            }
        }

        return [.. list.OrderBy(p => p.FiscalYear ?? int.MaxValue).ThenBy(p => p.RoundId, StringComparer.Ordinal).ThenBy(p => p.BallotNumber ?? int.MaxValue).ThenBy(p => p.ProposalId, StringComparer.Ordinal)];
    }

    /// <summary>Every proposal the round received (submitted, whatever became of it; never drafts).</summary>
    private async Task<IReadOnlyList<ProposalView>> ReceivedAsync(string roundId)
    {
        var ids = new List<string>();
        for (var skip = 0; ; skip += PageSize)
        {
            var page = await proposals.QueryAsync(roundId, new ProposalQuery(PublicOnly: false, Sort: ProposalSort.Title, Descending: false, Skip: skip, Take: PageSize, SubmittedOnly: true));
            ids.AddRange(page.Items.Select(s => s.ProposalId));
            if (page.Items.Count < PageSize || skip + PageSize >= page.Total)
            {
                break;
            }
        }

        var views = await Task.WhenAll(ids.Distinct().Select(id => proposals.GetAsync(roundId, id)));
        return [.. views.OfType<ProposalView>().Where(v => v.Status != ProposalStatus.Draft)];
    }

    private static IReadOnlyList<StatCell> Cells(IReadOnlyList<string> groups, IReadOnlyList<int> counts) =>
        [.. SmallCells.Suppress(counts).Select((n, i) => new StatCell(groups[i], n))];

    public static int FiscalYearOf(DateTimeOffset at) => ImplementationValidation.FiscalYear(DateOnly.FromDateTime(WardClock.ToWardTime(at).DateTime));

    /// <summary>
    /// The round's fiscal year, one rule for 「統計」, statistics.*, proposals.* and /implementation: the Japanese fiscal year
    /// (April–March) of the day the round's proposals were adopted. That is the adoption date of its implementation records
    /// (the publication here, or the earlier date an administrator set for a round decided before the platform, as the demo
    /// round of 2024 was); a round without records goes by its publication, and a round not yet published by its close of voting.
    /// </summary>
    public static int FiscalYearOf(string roundId, ResultsView results, DateTimeOffset closes, IReadOnlyList<ImplementationSummary> records) =>
        records.Where(r => r.RoundId == roundId).Select(r => (int?)r.FiscalYear).Min()
        ?? FiscalYearOf(results.IsPublished && results.PublishedAt is { } published ? published : closes);

    private async Task<IReadOnlyList<ImplementationSummary>> RecordsAsync() =>
        await grains.GetGrain<IImplementationDirectoryGrain>(IImplementationDirectoryGrain.WardKey).ListAsync();

    private static decimal Percent(int part, int whole) => whole == 0 ? 0 : Math.Round(100m * part / whole, 1);

    public static string Kebab<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
