using Chiyoda.Civic.Abstractions.Register;
using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.PaperBallots;

public sealed record FacilityRequest(string? Code, string? Name);

public sealed record BatchRequest(string? BatchId, string? Facility, string? SessionDate, int? BallotsInBox);

public sealed record KeyedLineRequest(
    int? Line,
    string? Serial,
    string? Facility,
    [property: System.ComponentModel.Description("The day the ballot was cast: an ISO date (2024-08-05) or a Japanese era date (令和6年8月5日, R6.8.5, R06.08.05; 元年 and full-width digits too).")]
    string? CastDate,
    string? VoterKey,
    [property: System.ComponentModel.Description("The ballot numbers marked, e.g. \"3;4\": between numbers ';', ',', '、', '/', '|' or spaces (full width too). Empty is a blank ballot. Anything else (\"34\" is number 34; words; an empty place as in \"3;;4\") is kept as keyed and counts as an invalid ballot with reason unreadable.")]
    string? Choices,
    [property: System.ComponentModel.Description("True when the clerk could not read the marks: the ballot counts as invalid (unreadable).")]
    bool? Unreadable);

public sealed record KeyingRequest(IReadOnlyList<KeyedLineRequest>? Lines);

/// <summary><c>choice</c>: take the first keying's line, the second's, or <c>line</c> as re-keyed (PaperBatchGrain refuses any other word).</summary>
public sealed record ResolutionRequest(
    string? Key,
    [property: System.ComponentModel.DataAnnotations.AllowedValues(PaperResolutionChoices.First, PaperResolutionChoices.Second, PaperResolutionChoices.Rekey)]
    string? Choice,
    KeyedLineRequest? Line);

public sealed record CommitRequest(string? ForcedReason);

/// <summary>A batch with a page of its line report.</summary>
public sealed record PaperBatchResponse(PaperBatchView Batch, PaperLinePage Report);

/// <summary>/api/v1/rounds/{roundId}/facilities and /paper-batches: the paper channel for clerks (keying) and administrators (resolving, forcing).</summary>
public static class PaperBallotsApi
{
    private static readonly ApiError[] BatchStateRefusals =
    [
        ApiErrors.BatchNotFound, ApiErrors.KeyingsComplete, ApiErrors.BatchCommitted, ApiErrors.BatchCommitting,
    ];

    /// <summary>The largest page of a batch's line report (the batch grain gives no more at once).</summary>
    public const int BatchLinePageMax = 10_000;

    public static RouteGroupBuilder MapPaperBallotsApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("PaperBallots");
        round.MapGet("/facilities", ListFacilities).RequireAuthorization(CivicPolicies.ApiClerk)
            .WithSummary("List the round's paper-ballot facilities").ProducesErrors(ApiErrors.RoundNotFound);
        round.MapPut("/facilities", SetFacilities).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Set the round's paper-ballot facilities").ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidFacilities);

        var batches = round.MapGroup("/paper-batches");
        batches.MapGet("/", ListBatches).RequireAuthorization(CivicPolicies.ApiClerk)
            .WithSummary("List the round's paper batches").ProducesErrors(ApiErrors.RoundNotFound);
        batches.MapGet("/reconciliation", GetPaperReconciliation).RequireAuthorization(CivicPolicies.ApiClerk)
            .WithSummary("Reconcile the paper ballots by facility").ProducesErrors(ApiErrors.RoundNotFound);
        batches.MapPost("/", OpenBatch).RequireAuthorization(CivicPolicies.ApiClerk)
            .WithSummary("Open a paper batch for a facility's box")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidBatch, ApiErrors.FacilityNotFound, ApiErrors.BatchExists);
        batches.MapGet("/{batchId}", GetBatch).RequireAuthorization(CivicPolicies.ApiClerk)
            .WithSummary("Get a batch and a page of its line report").Paged(BatchLinePageMax).ProducesErrors(ApiErrors.BatchNotFound);
        batches.MapGet("/{batchId}/report.csv", GetBatchReportCsv).RequireAuthorization(CivicPolicies.ApiClerk)
            .WithSummary("Download a batch's line report (CSV)")
            .ProducesFile("text/csv", description: "RFC 4180, UTF-8 with BOM; header line,ballot_serial,voter_key,outcome,reason.")
            .ProducesErrors(ApiErrors.BatchNotFound);
        // Typed lines (JSON) or an imported file (any other media type): the body is read by the handler.
        batches.MapPost("/{batchId}/keyings", KeyBatch).RequireAuthorization(CivicPolicies.ApiKeyingClerk)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(PaperBallotFile.MaxBytes + 1))
            .AcceptsJson<KeyingRequest>().AcceptsFile("text/csv", "text/tab-separated-values", "application/octet-stream")
            .WithSummary("Key a batch: typed lines (JSON) or an imported paper-ballot file").Produces<PaperKeyingReport>(StatusCodes.Status200OK)
            .ProducesErrors([.. BatchStateRefusals, ApiErrors.EmptyKeying, ApiErrors.NotAPaperBallotFile, ApiErrors.FileTooLarge, ApiErrors.TooManyLines]);
        batches.MapPost("/{batchId}/resolutions", ResolveDisagreement).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Resolve a disagreement between the two keyings")
            .ProducesErrors([.. BatchStateRefusals, ApiErrors.InvalidResolution, ApiErrors.NoSuchDisagreement]);
        batches.MapPost("/{batchId}/commit", CommitBatch).RequireAuthorization(CivicPolicies.ApiClerk)
            .WithSummary("Commit a batch (an administrator may force one that does not add up, with a reason)")
            .ProducesErrors([.. BatchStateRefusals, ApiErrors.Forbidden, ApiErrors.CountCertified, ApiErrors.NeedsSecondKeying, ApiErrors.KeyingsDisagree,
                ApiErrors.KeyingsTooDifferent, ApiErrors.ReconciliationMismatch]);
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<PaperFacility>>, ProblemHttpResult>> ListFacilities(string roundId, RoundService rounds, PaperBallotService paper) =>
        await rounds.GetAsync(roundId) is null ? RoundNotFound() : TypedResults.Ok(await paper.GetFacilitiesAsync(roundId));

    public static async Task<Results<Ok<IReadOnlyList<PaperFacility>>, ProblemHttpResult>> SetFacilities(string roundId, JsonBody<List<FacilityRequest>> body, Caller caller,
        RoundService rounds, PaperBallotService paper)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return RoundNotFound();
        }

        var facilities = body.Value.Select(f => new PaperFacility(f.Code ?? "", f.Name ?? "")).ToList();
        var errors = await paper.SetFacilitiesAsync(roundId, facilities, PaperActor.From(caller.User));
        return errors.Count > 0
            ? ApiErrors.Problem(ApiErrors.InvalidFacilities.Code, "The facility list is not valid.", errors: errors)
            : TypedResults.Ok(await paper.GetFacilitiesAsync(roundId));
    }

    public static async Task<Results<Ok<IReadOnlyList<PaperBatchSummary>>, ProblemHttpResult>> ListBatches(string roundId, RoundService rounds, PaperBallotService paper) =>
        await rounds.GetAsync(roundId) is null ? RoundNotFound() : TypedResults.Ok(await paper.ListBatchesAsync(roundId));

    public static async Task<Results<Ok<IReadOnlyList<PaperFacilityReconciliation>>, ProblemHttpResult>> GetPaperReconciliation(string roundId, RoundService rounds, PaperBallotService paper) =>
        await rounds.GetAsync(roundId) is null ? RoundNotFound() : TypedResults.Ok(await paper.ReconcileByFacilityAsync(roundId));

    public static async Task<Results<Created<PaperBatchView>, ProblemHttpResult>> OpenBatch(string roundId, JsonBody<BatchRequest> json, Caller caller,
        RoundService rounds, PaperBallotService paper)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return RoundNotFound();
        }

        var body = json.Value;
        if (string.IsNullOrWhiteSpace(body.Facility) || body.BallotsInBox is null
            || PaperLineRules.ParseDate(body.SessionDate?.Trim() ?? "") is not { } sessionDate)
        {
            return ApiErrors.Problem(ApiErrors.InvalidBatch, "Give facility, sessionDate (YYYY-MM-DD) and ballotsInBox.");
        }

        var result = await paper.OpenBatchAsync(roundId, body.BatchId, body.Facility.Trim(), sessionDate, body.BallotsInBox.Value, PaperActor.From(caller.User)!);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/rounds/{roundId}/paper-batches/{result.Value!.Summary.BatchId}", Shown(result.Value))
            : ApiErrors.Problem(result);
    }

    public static async Task<Results<Ok<PaperBatchResponse>, ProblemHttpResult>> GetBatch(string roundId, string batchId, int? skip, int? take, PaperBallotService paper)
    {
        if (await paper.GetBatchAsync(roundId, batchId) is not { } batch)
        {
            return ApiErrors.Problem(ApiErrors.BatchNotFound);
        }

        var lines = await paper.GetLinesAsync(roundId, batchId, skip ?? 0, take ?? 1000);
        return TypedResults.Ok(new PaperBatchResponse(Shown(batch), lines));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetBatchReportCsv(string roundId, string batchId, PaperBallotService paper)
    {
        if (await paper.GetBatchAsync(roundId, batchId) is null)
        {
            return ApiErrors.Problem(ApiErrors.BatchNotFound);
        }

        var csv = new Files.CsvWriter().Row("line", "ballot_serial", "voter_key", "outcome", "reason");
        for (var skip = 0; ; skip += 10_000)
        {
            var page = await paper.GetLinesAsync(roundId, batchId, skip, 10_000);
            foreach (var l in page.Lines)
            {
                csv.Row(l.Line.ToString(CultureInfo.InvariantCulture), l.Serial, l.VoterKey, l.Outcome, l.Reason);
            }

            if (skip + 10_000 >= page.Total)
            {
                break;
            }
        }

        return TypedResults.Bytes(csv.ToUtf8WithBom(), "text/csv; charset=utf-8");
    }

    public static async Task<IResult> KeyBatch(string roundId, string batchId, HttpContext context, PaperBallotService paper)
    {
        var request = context.Request;
        var actor = PaperActor.From(context.User)!;
        if (await paper.GetBatchAsync(roundId, batchId) is null)
        {
            return ApiErrors.Problem(ApiErrors.BatchNotFound);
        }

        (PaperKeyingReport? Report, string? Code, string? Detail) outcome;
        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var (body, problem) = await ApiRequests.ReadJsonAsync<KeyingRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            var lines = (body!.Lines ?? []).Select((l, i) => ToLine(l, i + 1)).ToList();
            outcome = await paper.KeyAsync(roundId, batchId, lines, actor, PaperKeyingSources.Typed);
        }
        else
        {
            if (request.ContentLength > PaperBallotFile.MaxBytes)
            {
                return FileTooLarge();
            }

            using var buffer = new MemoryStream();
            try
            {
                await request.Body.CopyToAsync(buffer, context.RequestAborted);
            }
            catch (BadHttpRequestException)
            {
                return FileTooLarge();
            }

            if (buffer.Length > PaperBallotFile.MaxBytes)
            {
                return FileTooLarge();
            }

            outcome = await paper.ImportAsync(roundId, batchId, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), actor);
        }

        return outcome.Report is { } report ? TypedResults.Ok(report with { Batch = report.Batch is { } b ? Shown(b) : null }) : ApiErrors.Problem(outcome.Code!, detail: outcome.Detail);
    }

    public static async Task<Results<Ok<PaperBatchView>, ProblemHttpResult>> ResolveDisagreement(string roundId, string batchId, JsonBody<ResolutionRequest> json, Caller caller,
        PaperBallotService paper, TimeProvider time)
    {
        var body = json.Value;
        if (string.IsNullOrWhiteSpace(body.Key) || string.IsNullOrWhiteSpace(body.Choice))
        {
            return ApiErrors.Problem(ApiErrors.InvalidResolution, "Give key and choice ('first', 'second' or 'rekey' with line).");
        }

        var result = await paper.ResolveAsync(roundId, batchId, body.Key.Trim(), body.Choice.Trim(), body.Line is null ? null : ToLine(body.Line, body.Line.Line ?? 0),
            PaperActor.From(caller.User)!, time.GetUtcNow());
        return result.Succeeded ? TypedResults.Ok(Shown(result.Value!)) : ApiErrors.Problem(result);
    }

    /// <summary>The body is optional (a nullable <see cref="JsonBody{T}"/>): a commit without one is an ordinary commit.</summary>
    public static async Task<Results<Ok<PaperBatchView>, Accepted<PaperBatchView>, ProblemHttpResult>> CommitBatch(string roundId, string batchId, JsonBody<CommitRequest>? json, Caller caller,
        PaperBallotService paper)
    {
        var body = json?.Value;
        var actor = PaperActor.From(caller.User)!;
        if (!string.IsNullOrWhiteSpace(body?.ForcedReason) && !actor.IsAdministrator)
        {
            return ApiErrors.Problem(ApiErrors.Forbidden, "Only an administrator may commit a batch whose numbers do not add up.");
        }

        var result = await paper.CommitAsync(roundId, batchId, actor, body?.ForcedReason);
        if (!result.Succeeded)
        {
            return ApiErrors.Problem(result);
        }

        // Give a small batch the chance to finish within the request; a large one is followed by reading the batch.
        var view = await paper.WaitForCommitAsync(roundId, batchId, TimeSpan.FromSeconds(5)) ?? result.Value!;
        return view.Summary.Status == PaperBatchStatuses.Committed
            ? TypedResults.Ok(Shown(view))
            : TypedResults.Accepted($"/api/v1/rounds/{roundId}/paper-batches/{batchId}", Shown(view));
    }

    public static PaperLine ToLine(KeyedLineRequest l, int fallbackLine) => new(
        l.Line ?? fallbackLine,
        Files.DelimitedText.Normalize(l.Serial ?? ""),
        Files.DelimitedText.Normalize(l.Facility ?? ""),
        Files.DelimitedText.Normalize(l.CastDate ?? ""),
        VoterKeys.Normalize(l.VoterKey),
        PaperLineRules.TidyChoices(Files.DelimitedText.Normalize(l.Choices ?? "")),
        l.Unreadable ?? false);

    private static ProblemHttpResult RoundNotFound() => ApiErrors.Problem(ApiErrors.RoundNotFound);

    private static ProblemHttpResult FileTooLarge() => ApiErrors.Problem(ApiErrors.FileTooLarge.Code,
        $"A paper-ballot file may be at most {PaperBallotFile.MaxBytes / 1024 / 1024} MB.");

    /// <summary>A batch as the API shows it: each disagreement reduced to its serial and the fields in dispute (secrecy: no voter key beside undisputed choices).</summary>
    private static PaperBatchView Shown(PaperBatchView batch) => batch with { Disagreements = [.. batch.Disagreements.Select(d => d.OnlyDisputed())] };
}
