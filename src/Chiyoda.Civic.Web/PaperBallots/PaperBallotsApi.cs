using System.Globalization;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.PaperBallots;

public sealed record FacilityRequest(string? Code, string? Name);

public sealed record BatchRequest(string? BatchId, string? Facility, string? SessionDate, int? BallotsInBox);

public sealed record KeyedLineRequest(int? Line, string? Serial, string? Facility, string? CastDate, string? VoterKey, string? Choices, bool? Unreadable);

public sealed record KeyingRequest(IReadOnlyList<KeyedLineRequest>? Lines);

public sealed record ResolutionRequest(string? Key, string? Choice, KeyedLineRequest? Line);

public sealed record CommitRequest(string? ForcedReason);

/// <summary>/api/v1/rounds/{roundId}/facilities and /paper-batches: the paper channel for clerks (keying) and administrators (resolving, forcing).</summary>
public static class PaperBallotsApi
{
    public static RouteGroupBuilder MapPaperBallotsApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("PaperBallots");

        round.MapGet("/facilities", async (string roundId, RoundService rounds, PaperBallotService paper) =>
            await rounds.GetAsync(roundId) is null ? RoundNotFound() : Results.Ok(await paper.GetFacilitiesAsync(roundId)))
            .RequireAuthorization(CivicPolicies.ApiClerk).WithSummary("List the round's paper-ballot facilities").ProducesErrors(ApiErrors.RoundNotFound);

        round.MapPut("/facilities", async (string roundId, HttpRequest request, RoundService rounds, PaperBallotService paper) =>
        {
            if (await rounds.GetAsync(roundId) is null)
            {
                return RoundNotFound();
            }

            var (body, problem) = await ApiRequests.ReadJsonAsync<List<FacilityRequest>>(request);
            if (problem is not null)
            {
                return problem;
            }

            var facilities = body!.Select(f => new PaperFacility(f.Code ?? "", f.Name ?? "")).ToList();
            var errors = await paper.SetFacilitiesAsync(roundId, facilities, PaperActor.From(request.HttpContext.User));
            return errors.Count > 0
                ? ApiProblems.Problem(StatusCodes.Status400BadRequest, PaperErrorCodes.InvalidFacilities, "The facility list is not valid.", errors: errors)
                : Results.Ok(await paper.GetFacilitiesAsync(roundId));
        }).RequireAuthorization(CivicPolicies.ApiAdministrator).AcceptsJson<List<FacilityRequest>>()
          .WithSummary("Set the round's paper-ballot facilities").ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidFacilities);

        var batches = round.MapGroup("/paper-batches");

        batches.MapGet("/", async (string roundId, RoundService rounds, PaperBallotService paper) =>
            await rounds.GetAsync(roundId) is null ? RoundNotFound() : Results.Ok(await paper.ListBatchesAsync(roundId)))
            .RequireAuthorization(CivicPolicies.ApiClerk).WithSummary("List the round's paper batches").ProducesErrors(ApiErrors.RoundNotFound);

        batches.MapGet("/reconciliation", async (string roundId, RoundService rounds, PaperBallotService paper) =>
            await rounds.GetAsync(roundId) is null ? RoundNotFound() : Results.Ok(await paper.ReconcileByFacilityAsync(roundId)))
            .RequireAuthorization(CivicPolicies.ApiClerk).WithSummary("Reconcile the paper ballots by facility").ProducesErrors(ApiErrors.RoundNotFound);

        batches.MapPost("/", async (string roundId, HttpContext context, RoundService rounds, PaperBallotService paper) =>
        {
            if (await rounds.GetAsync(roundId) is null)
            {
                return RoundNotFound();
            }

            var (body, problem) = await ApiRequests.ReadJsonAsync<BatchRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            if (string.IsNullOrWhiteSpace(body!.Facility) || body.BallotsInBox is null
                || PaperLineRules.ParseDate(body.SessionDate?.Trim() ?? "") is not { } sessionDate)
            {
                return ApiProblems.Problem(StatusCodes.Status400BadRequest, PaperErrorCodes.InvalidBatch,
                    "Give facility, sessionDate (YYYY-MM-DD) and ballotsInBox.");
            }

            var result = await paper.OpenBatchAsync(roundId, body.BatchId, body.Facility.Trim(), sessionDate, body.BallotsInBox.Value, PaperActor.From(context.User)!);
            return result.Succeeded
                ? Results.Created($"/api/v1/rounds/{roundId}/paper-batches/{result.Batch!.Summary.BatchId}", Shown(result.Batch))
                : Refusal(result.Code!, result.Detail);
        }).RequireAuthorization(CivicPolicies.ApiClerk).AcceptsJson<BatchRequest>()
          .WithSummary("Open a paper batch for a facility's box").ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidBatch, ApiErrors.FacilityNotFound, ApiErrors.BatchExists);

        batches.MapGet("/{batchId}", async (string roundId, string batchId, int? skip, int? take, PaperBallotService paper) =>
        {
            if (await paper.GetBatchAsync(roundId, batchId) is not { } batch)
            {
                return Refusal(PaperErrorCodes.BatchNotFound, null);
            }

            var lines = await paper.GetLinesAsync(roundId, batchId, skip ?? 0, take ?? 1000);
            return Results.Ok(new { batch = Shown(batch), report = lines });
        }).RequireAuthorization(CivicPolicies.ApiClerk).WithSummary("Get a batch and a page of its line report").ProducesErrors(ApiErrors.BatchNotFound);

        batches.MapGet("/{batchId}/report.csv", async (string roundId, string batchId, PaperBallotService paper) =>
        {
            if (await paper.GetBatchAsync(roundId, batchId) is null)
            {
                return Refusal(PaperErrorCodes.BatchNotFound, null);
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

            return Results.Bytes(csv.ToUtf8WithBom(), "text/csv; charset=utf-8");
        }).RequireAuthorization(CivicPolicies.ApiClerk).WithSummary("Download a batch's line report (CSV)").ProducesErrors(ApiErrors.BatchNotFound);

        batches.MapPost("/{batchId}/keyings", async (string roundId, string batchId, HttpContext context, PaperBallotService paper) =>
        {
            var request = context.Request;
            var actor = PaperActor.From(context.User)!;
            if (await paper.GetBatchAsync(roundId, batchId) is null)
            {
                return Refusal(PaperErrorCodes.BatchNotFound, null);
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

            return outcome.Report is { } report ? Results.Ok(report with { Batch = report.Batch is { } b ? Shown(b) : null }) : Refusal(outcome.Code!, outcome.Detail);
        }).RequireAuthorization(CivicPolicies.ApiKeyingClerk)
          .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(PaperBallotFile.MaxBytes + 1))
          .AcceptsJson<KeyingRequest>().AcceptsFile("text/csv", "text/tab-separated-values", "application/octet-stream")
          .WithSummary("Key a batch: typed lines (JSON) or an imported paper-ballot file")
          .ProducesErrors(ApiErrors.BatchNotFound, ApiErrors.EmptyKeying, ApiErrors.NotAPaperBallotFile, ApiErrors.FileTooLarge, ApiErrors.TooManyLines,
              ApiErrors.KeyingsComplete, ApiErrors.BatchCommitted, ApiErrors.BatchCommitting);

        batches.MapPost("/{batchId}/resolutions", async (string roundId, string batchId, HttpContext context, PaperBallotService paper, TimeProvider time) =>
        {
            var (body, problem) = await ApiRequests.ReadJsonAsync<ResolutionRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            if (string.IsNullOrWhiteSpace(body!.Key) || string.IsNullOrWhiteSpace(body.Choice))
            {
                return ApiProblems.Problem(StatusCodes.Status400BadRequest, PaperErrorCodes.InvalidResolution, "Give key and choice ('first', 'second' or 'rekey' with line).");
            }

            var result = await paper.ResolveAsync(roundId, batchId, body.Key.Trim(), body.Choice.Trim(), body.Line is null ? null : ToLine(body.Line, body.Line.Line ?? 0),
                PaperActor.From(context.User)!, time.GetUtcNow());
            return result.Succeeded ? Results.Ok(Shown(result.Batch!)) : Refusal(result.Code!, result.Detail);
        }).RequireAuthorization(CivicPolicies.ApiAdministrator).AcceptsJson<ResolutionRequest>()
          .WithSummary("Resolve a disagreement between the two keyings")
          .ProducesErrors(ApiErrors.InvalidResolution, ApiErrors.BatchNotFound, ApiErrors.NoSuchDisagreement, ApiErrors.BatchCommitted, ApiErrors.BatchCommitting);

        batches.MapPost("/{batchId}/commit", async (string roundId, string batchId, HttpContext context, PaperBallotService paper) =>
        {
            CommitRequest? body = null;
            if (context.Request.ContentLength > 0 || context.Request.ContentType is not null)
            {
                var (read, problem) = await ApiRequests.ReadJsonAsync<CommitRequest>(context.Request);
                if (problem is not null)
                {
                    return problem;
                }

                body = read;
            }

            var actor = PaperActor.From(context.User)!;
            if (!string.IsNullOrWhiteSpace(body?.ForcedReason) && !actor.IsAdministrator)
            {
                return ApiProblems.Problem(StatusCodes.Status403Forbidden, "forbidden", "Only an administrator may commit a batch whose numbers do not add up.");
            }

            var result = await paper.CommitAsync(roundId, batchId, actor, body?.ForcedReason);
            if (!result.Succeeded)
            {
                return Refusal(result.Code!, result.Detail);
            }

            // Give a small batch the chance to finish within the request; a large one is followed by reading the batch.
            var view = await paper.WaitForCommitAsync(roundId, batchId, TimeSpan.FromSeconds(5)) ?? result.Batch!;
            return view.Summary.Status == PaperBatchStatuses.Committed
                ? Results.Ok(Shown(view))
                : Results.Accepted($"/api/v1/rounds/{roundId}/paper-batches/{batchId}", Shown(view));
        }).RequireAuthorization(CivicPolicies.ApiClerk).AcceptsJson<CommitRequest>(optional: true)
          .WithSummary("Commit a batch (an administrator may force one that does not add up, with a reason)")
          .ProducesErrors(ApiErrors.BatchNotFound, ApiErrors.NeedsSecondKeying, ApiErrors.KeyingsDisagree, ApiErrors.KeyingsTooDifferent,
              ApiErrors.ReconciliationMismatch, ApiErrors.BatchCommitting);

        return api;
    }

    public static PaperLine ToLine(KeyedLineRequest l, int fallbackLine) => new(
        l.Line ?? fallbackLine,
        Files.DelimitedText.Normalize(l.Serial ?? ""),
        Files.DelimitedText.Normalize(l.Facility ?? ""),
        Files.DelimitedText.Normalize(l.CastDate ?? ""),
        Files.DelimitedText.Normalize(l.VoterKey ?? ""),
        PaperLineRules.TidyChoices(Files.DelimitedText.Normalize(l.Choices ?? "")),
        l.Unreadable ?? false);

    private static IResult RoundNotFound() => ApiProblems.Problem(StatusCodes.Status404NotFound, PaperErrorCodes.RoundNotFound, "There is no such round.");

    private static IResult FileTooLarge() => ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, PaperErrorCodes.FileTooLarge,
        $"A paper-ballot file may be at most {PaperBallotFile.MaxBytes / 1024 / 1024} MB.");

    private static IResult Refusal(string code, string? detail) => ApiErrors.Problem(code, ApiErrors.Find(code)?.Title ?? "The batch cannot do this now.", detail);

    /// <summary>A batch as the API shows it: each disagreement reduced to its serial and the fields in dispute (secrecy: no voter key beside undisputed choices).</summary>
    private static PaperBatchView Shown(PaperBatchView batch) => batch with { Disagreements = [.. batch.Disagreements.Select(d => d.OnlyDisputed())] };
}
