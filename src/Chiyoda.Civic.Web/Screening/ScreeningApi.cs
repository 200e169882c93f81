using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Proposals;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Screening;

/// <summary>One proposal's outcome in a bulk decision.</summary>
public sealed record BulkDecisionOutcome(string ProposalId, bool Succeeded, string? Code, ProposalStatus? Status);

/// <summary>/api/v1/rounds/{roundId}/screening…, …/reviews…, …/assignees, …/shortlist/publish: screeners (their stages) and administrators.</summary>
public static class ScreeningApi
{
    private static readonly ApiError[] ReviewRefusals =
    [
        ApiErrors.ProposalNotFound, ApiErrors.NotStaff, ApiErrors.NotAssigned, ApiErrors.NotUnderReview, ApiErrors.StageMismatch,
        ApiErrors.ProposalWithdrawn, ApiErrors.ProposalFrozen,
    ];

    /// <summary>The largest page of a proposal list (the proposal index gives no more at once).</summary>
    public const int ProposalPageMax = 200;

    /// <summary>Stages are numbered from 1; no round has more than this many.</summary>
    private const int ScreeningStageMax = 10;

    public static RouteGroupBuilder MapScreeningApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("Screening");

        round.MapGet("/screening", GetScreeningSetup).AllowAnonymous().WithSummary("Get the round's screening stages, criteria and categories")
            .ProducesErrors(ApiErrors.RoundNotFound);

        // ---- screeners (stage assignment checked by the proposal) ----
        round.MapGet("/screening/queue", GetScreeningQueue).RequireAuthorization(CivicPolicies.ApiScreener).WithSummary("List submitted proposals for screening")
            .Paged(ProposalPageMax).QueryRange("stage", 1, ScreeningStageMax).QueryChoice<ProposalStatus>("status").QueryChoice<ProposalSort>("sort");
        round.MapGet("/proposals/{proposalId}/reviews", GetProposalReviews).RequireAuthorization(CivicPolicies.ApiScreener)
            .WithSummary("Get a proposal's review: scores, private notes, decisions, assignees")
            .ProducesErrors(ApiErrors.ProposalNotFound);
        round.MapPost("/proposals/{proposalId}/reviews/scores", ScoreProposalReview).RequireAuthorization(CivicPolicies.ApiScreener)
            .WithSummary("Score a proposal at a stage")
            .ProducesErrors([.. ReviewRefusals, ApiErrors.InvalidScores]);
        round.MapPost("/proposals/{proposalId}/reviews/notes", AddReviewNote).RequireAuthorization(CivicPolicies.ApiScreener)
            .WithSummary("Add a private review note")
            .ProducesErrors([.. ReviewRefusals, ApiErrors.InvalidNote]);
        round.MapPost("/proposals/{proposalId}/reviews/decisions", DecideProposalReview).RequireAuthorization(CivicPolicies.ApiScreener)
            .WithSummary("Decide a proposal at a stage (advance, decline, ...)")
            .ProducesErrors([.. ReviewRefusals, ApiErrors.ScoresRequired, ApiErrors.MessageRequired]);
        round.MapPost("/screening/decisions", DecideScreeningBatch).RequireAuthorization(CivicPolicies.ApiScreener)
            .WithSummary("The same decision for up to 200 proposals (each answered separately)")
            .ProducesErrors(ApiErrors.InvalidProposal);

        // ---- administrators ----
        round.MapPut("/proposals/{proposalId}/assignees", AssignScreeners).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Assign screeners to a proposal")
            .ProducesErrors(ApiErrors.ProposalNotFound, ApiErrors.InvalidAssignment, ApiErrors.NotStaff);
        round.MapPut("/screening", SetScreeningSetup).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Set the round's screening stages, criteria and categories")
            .ProducesErrors(ApiErrors.InvalidSetup, ApiErrors.SetupLocked, ApiErrors.RoundNotFound);
        round.MapGet("/screening/assignments", GetStageAssignments).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("List which screeners screen which stages");
        round.MapPut("/screening/assignments/{screenerSub}", AssignStages).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Set the stages a screener screens")
            .ProducesErrors(ApiErrors.InvalidAssignment, ApiErrors.RoundNotFound);
        round.MapPost("/shortlist/publish", PublishShortlist).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Publish the shortlist: the proposals on the ballot")
            .ProducesErrors(ApiErrors.InvalidShortlist, ApiErrors.NotSelected, ApiErrors.ShortlistLocked, ApiErrors.RoundNotFound);
        return api;
    }

    public static async Task<Results<Ok<ScreeningSetup>, ProblemHttpResult>> GetScreeningSetup(string roundId, ScreeningService screening, RoundService rounds) =>
        await rounds.GetAsync(roundId) is null ? ProposalsApi.RoundNotFound() : TypedResults.Ok((await screening.ConfigAsync(roundId)).Setup);

    public static async Task<Ok<ProposalPage>> GetScreeningQueue(string roundId, int? stage, string? status, string? category, string? assignee,
        string? search, string? sort, bool? descending, int? skip, int? take, ScreeningService screening) =>
        TypedResults.Ok(await screening.QueueAsync(roundId, new ProposalQuery(false, null, search, category, QueryRules.Parse<ProposalStatus>(status), stage, assignee,
            QueryRules.Parse<ProposalSort>(sort) ?? ProposalSort.Updated, descending ?? true, skip ?? 0, take ?? 50, SubmittedOnly: true)));

    public static async Task<Results<Ok<ProposalReview>, ProblemHttpResult>> GetProposalReviews(string roundId, string proposalId, ScreeningService screening) =>
        await screening.GetReviewAsync(roundId, proposalId) is { } review ? TypedResults.Ok(review) : ProposalsApi.ProposalNotFound();

    public static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> ScoreProposalReview(string roundId, string proposalId, JsonBody<ScoreRequest> body, Caller caller, ScreeningService screening) =>
        ProposalsApi.Answer(await screening.ScoreAsync(roundId, proposalId, caller.Actor, body.Value.Stage, body.Value.Scores ?? []));

    public static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> AddReviewNote(string roundId, string proposalId, JsonBody<NoteRequest> json, Caller caller, ScreeningService screening)
    {
        var body = json.Value;
        return ProposalsApi.Answer(await screening.AddNoteAsync(roundId, proposalId, caller.Actor, body.Stage,
            string.IsNullOrWhiteSpace(body.NoteId) ? "n-" + Guid.NewGuid().ToString("N")[..12] : body.NoteId, body.Text ?? ""));
    }

    public static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> DecideProposalReview(string roundId, string proposalId, JsonBody<DecisionRequest> json, Caller caller, ScreeningService screening)
    {
        var body = json.Value;
        return ProposalsApi.Answer(await screening.DecideAsync(roundId, proposalId, caller.Actor, body.Stage,
            string.IsNullOrWhiteSpace(body.DecisionId) ? "d-" + Guid.NewGuid().ToString("N")[..12] : body.DecisionId, body.Decision, body.Message));
    }

    public static async Task<Results<Ok<IEnumerable<BulkDecisionOutcome>>, ProblemHttpResult>> DecideScreeningBatch(string roundId, JsonBody<BulkDecisionRequest> json, Caller caller, ScreeningService screening)
    {
        var body = json.Value;
        if (body.ProposalIds is not { Count: > 0 and <= 200 } ids)
        {
            return ApiErrors.Problem(ApiErrors.InvalidProposal.Code, "Select 1 to 200 proposals.",
                errors: [new("proposalIds", ProposalErrorCodes.Required, "Select 1 to 200 proposals.")]);
        }

        var results = await screening.DecideManyAsync(roundId, ids, caller.Actor, body.Stage,
            string.IsNullOrWhiteSpace(body.BatchId) ? Guid.NewGuid().ToString("N") : body.BatchId, body.Decision, body.Message);
        return TypedResults.Ok(results.Select(r => new BulkDecisionOutcome(r.ProposalId, r.Result.Succeeded, r.Result.Code, r.Result.Value?.Status)));
    }

    public static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> AssignScreeners(string roundId, string proposalId, JsonBody<AssigneesRequest> body, Caller caller, ScreeningService screening) =>
        ProposalsApi.Answer(await screening.AssignAsync(roundId, proposalId, caller.Actor, body.Value.Screeners ?? []));

    public static async Task<Results<Ok<ScreeningSetup>, ProblemHttpResult>> SetScreeningSetup(string roundId, JsonBody<ScreeningSetup> body, Caller caller, ScreeningService screening) =>
        Answer(await screening.SetSetupAsync(roundId, caller.Actor, body.Value), r => r.Config.Setup);

    public static async Task<Ok<IReadOnlyList<ScreenerAssignment>>> GetStageAssignments(string roundId, ScreeningService screening) =>
        TypedResults.Ok((await screening.ConfigAsync(roundId)).Assignments);

    public static async Task<Results<Ok<IReadOnlyList<ScreenerAssignment>>, ProblemHttpResult>> AssignStages(string roundId, string screenerSub, JsonBody<StageAssignmentRequest> json,
        Caller caller, ScreeningService screening)
    {
        var body = json.Value;
        return Answer(await screening.AssignStagesAsync(roundId, caller.Actor, new ScreenerAssignment(screenerSub, body.Name ?? screenerSub, body.Stages ?? [])),
            r => r.Config.Assignments);
    }

    public static async Task<Results<Ok<Shortlist>, ProblemHttpResult>> PublishShortlist(string roundId, JsonBody<ShortlistPublishRequest> body, Caller caller, ScreeningService screening) =>
        Answer(await screening.PublishShortlistAsync(roundId, caller.Actor, body.Value.ProposalIds ?? []), r => r.Shortlist!);

    private static Results<Ok<T>, ProblemHttpResult> Answer<T>(CommandResult<ScreeningOutcome> result, Func<ScreeningOutcome, T> body) =>
        result.Succeeded ? TypedResults.Ok(body(result.Value!)) : ApiErrors.Problem(result);
}
