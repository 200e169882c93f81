using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Web.Files;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Implementation;

/// <summary>
/// Open data of every implementation record with its whole timeline and indicators: <c>records.json</c> and
/// <c>records.csv</c> (UTF-8 with BOM, so spreadsheets read the Japanese; one line per step, indicator, actual,
/// budget and link), with SHA-256 digests in <c>open-data</c> and each file's Repr-Digest (through <see cref="Download"/>). Built from the
/// records as the public pages show them (no assignees).
/// </summary>
public static class ImplementationOpenData
{
    public const string CsvHeader = "round_id,proposal_id,title,title_en,category,fiscal_year,kind,seq,date,status,status_name,note,note_en,department,indicator_id,indicator_name,unit,target,value,url";

    public sealed record OpenDataFile(string Name, string MediaType, byte[] Content)
    {
        public string Sha256 { get; } = Convert.ToHexString(SHA256.HashData(Content)).ToLowerInvariant();
    }

    public static async Task<(OpenDataFile Json, OpenDataFile Csv)> BuildAsync(ImplementationService service, JsonSerializerOptions options)
    {
        var path = await service.PathAsync();
        var records = new List<ImplementationRecord>();
        foreach (var summary in await service.ListAsync(new ImplementationFilter()))
        {
            if (await service.GetAsync(summary.RoundId, summary.ProposalId) is { } record)
            {
                records.Add(record.ForPublic());
            }
        }

        records = [.. records.OrderBy(r => r.RoundId, StringComparer.Ordinal).ThenBy(r => r.ProposalId, StringComparer.Ordinal)];
        var json = JsonSerializer.SerializeToUtf8Bytes(new
        {
            path = path.Statuses.Append(ImplementationPath.NotPursuedStatus),
            records = records.Select(r => new
            {
                r.RoundId, r.ProposalId, r.Title, r.TitleEn, r.Category, r.FiscalYear, r.AdoptedOn,
                // The pages say "step 2 of 7"; the open data carries the same two figures beside the older 0..100 progress.
                status = r.Current.StatusId, stepNumber = path.Step(r.Current.StatusId), stepCount = path.Statuses.Count,
                progress = path.Progress(r.Current.StatusId), department = r.Department,
                r.BudgetYen, r.Links, steps = r.Steps, r.Indicators,
            }),
        }, options);

        var csv = new CsvWriter(4096).Row(CsvHeader.Split(','));
        foreach (var r in records)
        {
            string?[] Head(string kind, int? seq, DateOnly? date) =>
                [r.RoundId, r.ProposalId, r.Title, r.TitleEn, r.Category, r.FiscalYear.ToString(CultureInfo.InvariantCulture), kind,
                 seq?.ToString(CultureInfo.InvariantCulture), date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)];
            foreach (var s in r.Steps)
            {
                csv.Row([.. Head("step", s.Seq, s.Date), s.StatusId, path.Find(s.StatusId)?.Name ?? s.StatusId, s.Note, s.NoteEn, s.Department, "", "", "", "", "", ""]);
            }

            if (r.BudgetYen is { } budget)
            {
                csv.Row([.. Head("budget", null, null), "", "", "", "", "", "", "", "円", "", budget.ToString(CultureInfo.InvariantCulture), ""]);
            }

            foreach (var l in r.Links)
            {
                csv.Row([.. Head("link", null, null), "", "", l.Title, "", "", "", "", "", "", "", l.Url]);
            }

            foreach (var i in r.Indicators)
            {
                csv.Row([.. Head("indicator", null, i.TargetDate), "", "", "", "", "", i.Id, i.Name, i.Unit, Number(i.Target), "", ""]);
                foreach (var a in i.Actuals)
                {
                    csv.Row([.. Head("actual", null, a.Date), "", "", a.Note, "", "", i.Id, i.Name, i.Unit, Number(i.Target), Number(a.Value), ""]);
                }
            }
        }

        byte[] bom = [0xEF, 0xBB, 0xBF];
        return (new OpenDataFile("records.json", "application/json; charset=utf-8", json),
                new OpenDataFile("records.csv", "text/csv; charset=utf-8", [.. bom, .. csv.ToUtf8()]));
    }

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static JsonSerializerOptions Options(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    /// <summary>The same shape as the ward's open-data index (a typed answer, so the OpenAPI document describes it).</summary>
    public static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<Statistics.StatisticsApi.OpenDataIndex>> Index(HttpContext http, ImplementationService service)
    {
        var (json, csv) = await BuildAsync(service, Options(http));
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Ok(new Statistics.StatisticsApi.OpenDataIndex(
            [.. new[] { json, csv }.Select(f => new Statistics.StatisticsApi.OpenDataEntry(f.Name, $"/api/v1/implementation/{f.Name}", f.Sha256, f.Content.Length))]));
    }

    public static Task<IResult> Json(HttpContext http, ImplementationService service) => FileAsync(http, service, csv: false);

    public static Task<IResult> Csv(HttpContext http, ImplementationService service) => FileAsync(http, service, csv: true);

    private static async Task<IResult> FileAsync(HttpContext http, ImplementationService service, bool csv)
    {
        var (jsonFile, csvFile) = await BuildAsync(service, Options(http));
        var file = csv ? csvFile : jsonFile;
        var records = await service.ListAsync(new ImplementationFilter());
        var lastModified = records.Count == 0 ? DateTimeOffset.UnixEpoch : records.Max(r => r.UpdatedAt);
        return Download.Serve(new DownloadFile(file.Content, file.MediaType, lastModified, csv ? "implementation-records.csv" : null, Public: true), "no-cache");
    }

    /// <summary>The CSV as text without its BOM (for tests and tools).</summary>
    public static string Text(byte[] content) => Encoding.UTF8.GetString(content.AsSpan(3));
}
