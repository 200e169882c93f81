using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Files;
using Chiyoda.Civic.Web.Implementation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Statistics;

/// <summary>
/// The ward-wide open data: statistics across rounds (<c>statistics.json</c>, <c>statistics.csv</c>), every round's published
/// proposals with their final status (<c>proposals.json</c>, <c>proposals.csv</c>), and an index of every ward-wide file
/// with its SHA-256 (<c>/api/v1/open-data</c>, the implementation records included). CSVs are UTF-8 with BOM through
/// <see cref="CsvWriter"/>; every file is served through <see cref="Download"/> (ETag, Repr-Digest, conditional GET).
/// </summary>
public static class StatisticsApi
{
    public const string StatisticsCsvHeader = "scope,id,fiscal_year,measure,group,value,suppressed";
    public const string ProposalsCsvHeader = "round_id,proposal_id,fiscal_year,ballot_number,title,title_en,category,relation,votes,final_status,implementation_status";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public sealed record OpenFile(string Name, string MediaType, byte[] Content, DateTimeOffset LastModified)
    {
        public string Sha256 { get; } = Convert.ToHexString(SHA256.HashData(Content)).ToLowerInvariant();
    }

    public static RouteGroupBuilder MapStatisticsApi(this RouteGroupBuilder api)
    {
        const string Tag = "Statistics and open data";
        const string Json = "application/json", Csv = "text/csv";
        const string StatisticsJsonText = "minimumCell, satisfactionMinimumAnswers, note, rounds (per round: proposals, turnout, counts by category, relation, "
            + "channel and age band, satisfaction) and years; cells of 1 to 9 people are null.";
        const string CsvText = "RFC 4180, UTF-8 with BOM, CRLF; header ";
        api.MapGet("/statistics", GetStatistics).AllowAnonymous().WithTags(Tag).WithSummary("Statistics across rounds (the document of statistics.json)")
            .ProducesFile(Json, description: StatisticsJsonText);
        api.MapGet("/statistics.json", GetStatisticsJson).AllowAnonymous().WithTags(Tag).WithSummary("Statistics across rounds as a JSON file")
            .Downloads(Json, description: StatisticsJsonText);
        api.MapGet("/statistics.csv", GetStatisticsCsv).AllowAnonymous().WithTags(Tag).WithSummary("Statistics across rounds as a CSV file (long form)")
            .Downloads(Csv, description: CsvText + StatisticsCsvHeader + ".");
        api.MapGet("/proposals.json", GetProposalsJson).AllowAnonymous().WithTags(Tag).WithSummary("Every round's published proposals with their final status (JSON)")
            .Downloads(Json, description: "count and proposals (the columns of proposals.csv, in camelCase).");
        api.MapGet("/proposals.csv", GetProposalsCsv).AllowAnonymous().WithTags(Tag).WithSummary("Every round's published proposals with their final status (CSV)")
            .Downloads(Csv, description: CsvText + ProposalsCsvHeader + ".");
        api.MapGet("/open-data", Index).AllowAnonymous().WithTags(Tag).WithName("listOpenData").WithSummary("Every ward-wide open-data file with its SHA-256");
        return api;
    }

    public static Task<IResult> GetStatisticsJson(StatisticsService service) => ServeAsync(StatisticsFilesAsync(service), 0);

    public static Task<IResult> GetStatisticsCsv(StatisticsService service) => ServeAsync(StatisticsFilesAsync(service), 1);

    public static Task<IResult> GetProposalsJson(StatisticsService service) => ServeAsync(ProposalFilesAsync(service), 0);

    public static Task<IResult> GetProposalsCsv(StatisticsService service) => ServeAsync(ProposalFilesAsync(service), 1);

    /// <summary>The statistics as JSON (the same document as statistics.json).</summary>
    public static async Task<IResult> GetStatistics(StatisticsService service)
    {
        var (json, _) = await StatisticsFilesAsync(service);
        return Results.Bytes(json.Content, json.MediaType);
    }

    public sealed record OpenDataEntry(string Name, string Href, string Sha256, int Bytes);

    public sealed record OpenDataIndex(IReadOnlyList<OpenDataEntry> Files);

    /// <summary>Every ward-wide open-data file with its address, SHA-256 and size.</summary>
    public static async Task<Ok<OpenDataIndex>> Index(HttpContext http, StatisticsService statistics, ImplementationService implementation)
    {
        var (sj, sc) = await StatisticsFilesAsync(statistics);
        var (pj, pc) = await ProposalFilesAsync(statistics);
        var (ij, ic) = await ImplementationOpenData.BuildAsync(implementation, ImplementationOpenData.Options(http));
        http.Response.Headers.CacheControl = "no-cache";
        var files = new[]
        {
            (sj.Name, "/api/v1/statistics.json", sj.Sha256, sj.Content.Length), (sc.Name, "/api/v1/statistics.csv", sc.Sha256, sc.Content.Length),
            (pj.Name, "/api/v1/proposals.json", pj.Sha256, pj.Content.Length), (pc.Name, "/api/v1/proposals.csv", pc.Sha256, pc.Content.Length),
            ("implementation-records.json", "/api/v1/implementation/records.json", ij.Sha256, ij.Content.Length),
            ("implementation-records.csv", "/api/v1/implementation/records.csv", ic.Sha256, ic.Content.Length),
        };
        return TypedResults.Ok(new OpenDataIndex([.. files.Select(f => new OpenDataEntry(f.Item1, f.Item2, f.Item3, f.Item4))]));
    }

    private static async Task<IResult> ServeAsync(Task<(OpenFile Json, OpenFile Csv)> files, int which)
    {
        var (json, csv) = await files;
        var file = which == 0 ? json : csv;
        return Download.Serve(new DownloadFile(file.Content, file.MediaType, file.LastModified, which == 0 ? null : file.Name, Public: true), "no-cache");
    }

    public static async Task<(OpenFile Json, OpenFile Csv)> StatisticsFilesAsync(StatisticsService service)
    {
        var rounds = await service.RoundsAsync();
        var years = await service.YearsAsync(rounds);
        var minimumAnswers = service.SatisfactionMinimumAnswers;
        var lastModified = rounds.Count == 0 ? DateTimeOffset.UnixEpoch : rounds.Max(r => r.VotingCloses);
        var json = JsonSerializer.SerializeToUtf8Bytes(new
        {
            minimumCell = SmallCells.Minimum,
            satisfactionMinimumAnswers = minimumAnswers,
            note = "Cells of 1 to 9 people are null (suppressed); when one cell alone would be, the next smallest is too. Satisfaction is one total of every "
                + "answer (voters and non-voters merged), published whole (count, the five ratings, mean, share satisfied) only when it stands for at least "
                + "satisfactionMinimumAnswers answers, else published: false and nothing else; it changes only when at least that many new answers have "
                + "arrived. A year sums only the rounds whose satisfaction is published. fiscalYear is the Japanese fiscal year of the round's adoption.",
            rounds = rounds.Select(r => new
            {
                r.RoundId, r.Name, r.NameEn, r.FiscalYear, r.Proposals, byCategory = r.ByCategory, byRelation = r.ByRelation, r.Shortlisted, r.Adopted,
                r.Registered, r.Voters, r.TurnoutPercent, byChannel = r.ByChannel, byAgeBand = r.ByAgeBand, satisfaction = Satisfaction(r.Satisfaction),
            }),
            years = years.Select(y => new
            {
                y.FiscalYear, y.Rounds, y.Proposals, y.Shortlisted, y.Adopted, y.Registered, y.Voters, y.TurnoutPercent, satisfaction = Satisfaction(y.Satisfaction),
            }),
        }, Json);

        var csv = new CsvWriter(8192).Row(StatisticsCsvHeader.Split(','));
        foreach (var r in rounds)
        {
            void Row(string measure, string group, decimal? value, bool suppressed = false) =>
                csv.Row("round", r.RoundId, Int(r.FiscalYear), measure, group, value is { } v ? Number(v) : "", suppressed ? "true" : "false");
            void Cells(string measure, IReadOnlyList<StatCell> cells)
            {
                foreach (var c in cells)
                {
                    Row(measure, c.Group, c.Count, c.Count is null);
                }
            }

            Row("proposals", "", r.Proposals);
            Cells("proposals_by_category", r.ByCategory);
            Cells("proposals_by_relation", r.ByRelation);
            Row("shortlisted", "", r.Shortlisted);
            Row("adopted", "", r.Adopted);
            Row("registered", "", r.Registered);
            Row("voters", "", r.Voters);
            Row("turnout_percent", "", r.TurnoutPercent);
            Cells("voters_by_channel", r.ByChannel);
            Cells("voters_by_age_band", r.ByAgeBand);
            SatisfactionRows(csv, "round", r.RoundId, r.FiscalYear, r.Satisfaction);
        }

        foreach (var y in years)
        {
            var id = Int(y.FiscalYear);
            foreach (var (measure, value) in new (string, decimal)[] { ("rounds", y.Rounds), ("proposals", y.Proposals), ("shortlisted", y.Shortlisted), ("adopted", y.Adopted),
                ("registered", y.Registered), ("voters", y.Voters), ("turnout_percent", y.TurnoutPercent) })
            {
                csv.Row("year", id, id, measure, "", Number(value), "false");
            }

            SatisfactionRows(csv, "year", id, y.FiscalYear, y.Satisfaction);
        }

        return (new OpenFile("statistics.json", "application/json; charset=utf-8", json, lastModified),
                new OpenFile("statistics.csv", "text/csv; charset=utf-8", csv.ToUtf8WithBom(), lastModified));
    }

    public static async Task<(OpenFile Json, OpenFile Csv)> ProposalFilesAsync(StatisticsService service)
    {
        var proposals = await service.ProposalsAsync();
        var lastModified = DateTimeOffset.UnixEpoch;
        var json = JsonSerializer.SerializeToUtf8Bytes(new { count = proposals.Count, proposals }, Json);
        var csv = new CsvWriter(proposals.Count * 200 + 256).Row(ProposalsCsvHeader.Split(','));
        foreach (var p in proposals)
        {
            csv.Row(p.RoundId, p.ProposalId, p.FiscalYear is { } fy ? Int(fy) : "", p.BallotNumber is { } n ? Int(n) : "", p.Title, p.TitleEn, p.Category, p.Relation,
                p.Votes is { } v ? Int(v) : "", p.FinalStatus, p.ImplementationStatus);
        }

        return (new OpenFile("proposals.json", "application/json; charset=utf-8", json, lastModified),
                new OpenFile("proposals.csv", "text/csv; charset=utf-8", csv.ToUtf8WithBom(), lastModified));
    }

    private static object Satisfaction(SatisfactionSummary s) => new
    {
        published = s.Published,
        count = s.Count,
        distribution = s.Distribution?.Select((n, i) => new { rating = i + 1, count = n }),
        mean = s.Mean,
        satisfiedPercent = s.SatisfiedShare,
    };

    /// <summary>
    /// One total (<c>satisfaction_*</c>): every value empty and <c>suppressed</c> true while it stands for fewer than the minimum
    /// number of answers; whole once it does.
    /// </summary>
    private static void SatisfactionRows(CsvWriter csv, string scope, string id, int year, SatisfactionSummary s)
    {
        var fy = Int(year);
        var hidden = s.Published ? "false" : "true";
        csv.Row(scope, id, fy, "satisfaction_count", "", s.Count is { } c ? Int(c) : "", hidden);
        for (var i = 0; i < SatisfactionRules.Scale; i++)
        {
            csv.Row(scope, id, fy, "satisfaction_by_rating", Int(i + 1), s.Distribution is { } d ? Int(d[i]) : "", hidden);
        }

        csv.Row(scope, id, fy, "satisfaction_mean", "", s.Mean is { } m ? Number(m) : "", hidden);
        csv.Row(scope, id, fy, "satisfaction_satisfied_percent", "", s.SatisfiedShare is { } p ? Number(p) : "", hidden);
    }

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Number(decimal n) => n.ToString(CultureInfo.InvariantCulture);
}
