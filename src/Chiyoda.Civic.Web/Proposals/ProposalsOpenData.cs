using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Files;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Proposals;

/// <summary>
/// A round's proposals as open data, JSON and CSV, at any phase: the published proposals only (those the public
/// list shows: past the intake check; never drafts or proposals awaiting intake), each with what its public page
/// shows and nothing more (no proposer account or name, no messages; the relation to the ward and an organisation's
/// name are on the public page). Served through <see cref="Download"/>: ETag, Last-Modified (the latest change),
/// Repr-Digest, HEAD, compression.
/// </summary>
public static class ProposalsOpenData
{
    private const int PageSize = 100;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower), new WardTimeJsonConverter() },
    };

    public static RouteGroupBuilder MapProposalsOpenData(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("Proposals");
        round.MapGet("/proposals.json", JsonAsync).AllowAnonymous().WithName("getRoundProposalsJson").Downloads("application/json", typeof(OpenProposals));
        round.MapGet("/proposals.csv", CsvAsync).AllowAnonymous().WithName("getRoundProposalsCsv")
            .Downloads("text/csv", description: "RFC 4180, UTF-8 with BOM, CRLF; header proposal_id,ballot_number,status,stage,category,title,title_en,summary,"
                + "summary_en,problem,solution,expected_effect,relation,organisation_name,public_reason,published_at,updated_at.");
        return api;
    }

    /// <summary>One published proposal as open data.</summary>
    public sealed record OpenProposal(string ProposalId, int? BallotNumber, ProposalStatus Status, int Stage, string Category,
        string Title, string? TitleEn, string Summary, string? SummaryEn, string Problem, string Solution, string ExpectedEffect,
        ProposerRelation Relation, string? OrganisationName, string? PublicReason, DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt);

    /// <summary>proposals.json (internal, not private: the OpenAPI document describes the download by it).</summary>
    internal sealed record OpenProposals(string RoundId, int Count, IReadOnlyList<OpenProposal> Proposals);

    private static async Task<IResult> JsonAsync(string roundId, ProposalService proposals, RoundService rounds)
    {
        if (await ReadAsync(roundId, proposals, rounds) is not { } read)
        {
            return RoundNotFound();
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(new OpenProposals(roundId, read.Proposals.Count, read.Proposals), Json);
        return Download.Serve(new DownloadFile(bytes, "application/json; charset=utf-8", read.LastModified, null, Public: true), "public, max-age=60");
    }

    private static async Task<IResult> CsvAsync(string roundId, ProposalService proposals, RoundService rounds)
    {
        if (await ReadAsync(roundId, proposals, rounds) is not { } read)
        {
            return RoundNotFound();
        }

        var csv = new CsvWriter(read.Proposals.Count * 2048);
        csv.Row("proposal_id", "ballot_number", "status", "stage", "category", "title", "title_en", "summary", "summary_en",
            "problem", "solution", "expected_effect", "relation", "organisation_name", "public_reason", "published_at", "updated_at");
        foreach (var p in read.Proposals)
        {
            csv.Row(p.ProposalId, p.BallotNumber?.ToString(CultureInfo.InvariantCulture), Kebab(p.Status), p.Stage.ToString(CultureInfo.InvariantCulture), p.Category,
                p.Title, p.TitleEn, p.Summary, p.SummaryEn, p.Problem, p.Solution, p.ExpectedEffect, Kebab(p.Relation), p.OrganisationName, p.PublicReason,
                p.PublishedAt is { } at ? Iso(at) : null, Iso(p.UpdatedAt));
        }

        return Download.Serve(new DownloadFile(csv.ToUtf8WithBom(), "text/csv; charset=utf-8", read.LastModified, $"{roundId}-proposals.csv", Public: true),
            "public, max-age=60");
    }

    /// <summary>The round's published proposals in ballot-number order then id, or null when there is no such round.</summary>
    private static async Task<(IReadOnlyList<OpenProposal> Proposals, DateTimeOffset LastModified)?> ReadAsync(string roundId, ProposalService proposals, RoundService rounds)
    {
        if (await rounds.GetAsync(roundId) is not { } round)
        {
            return null;
        }

        var ids = new List<string>();
        for (var skip = 0; ; skip += PageSize)
        {
            var page = await proposals.QueryAsync(roundId, new ProposalQuery(PublicOnly: true, Sort: ProposalSort.Title, Descending: false, Skip: skip, Take: PageSize));
            ids.AddRange(page.Items.Where(s => s.IsPublic && s.Status != ProposalStatus.Draft).Select(s => s.ProposalId));
            if (page.Items.Count < PageSize || skip + PageSize >= page.Total)
            {
                break;
            }
        }

        var views = await Task.WhenAll(ids.Distinct().Select(id => proposals.GetAsync(roundId, id)));
        var open = views.OfType<ProposalView>().Where(v => v.IsPublic && v.Status != ProposalStatus.Draft).Select(v => v.ForPublic())
            .OrderBy(v => v.BallotNumber ?? int.MaxValue).ThenBy(v => v.ProposalId, StringComparer.Ordinal)
            .Select(v => new OpenProposal(v.ProposalId, v.BallotNumber, v.Status, v.Stage, v.Content.Category, v.Content.Title, v.Content.TitleEn,
                v.Content.Summary, v.Content.SummaryEn, v.Content.Problem, v.Content.Solution, v.Content.ExpectedEffect, v.Content.Relation,
                v.Content.OrganisationName, v.PublicReason, v.PublishedAt, v.UpdatedAt))
            .ToList();
        var lastModified = open.Count == 0 ? round.Snapshot.UpdatedAt : open.Max(p => p.UpdatedAt);
        return (open, lastModified);
    }

    private static string Kebab<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    private static string Iso(DateTimeOffset at) => WardClock.ToWardTime(at).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static IResult RoundNotFound() => ApiProblems.Problem(StatusCodes.Status404NotFound, "round-not-found", "There is no such round.");
}
