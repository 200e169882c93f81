using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Audit;
using Chiyoda.Civic.Web.Hosting;
using Chiyoda.Civic.Web.Notifications;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Chiyoda.Civic.Web.Proposals;

public sealed record ProposalRequest(
    string? ProposalId, string? Title, string? Summary, string? Problem, string? Solution, string? ExpectedEffect,
    string? Category, ProposerRelation? Relation, string? OrganisationName, bool Submit = false, string? TitleEn = null, string? SummaryEn = null)
{
    public ProposalContent ToContent() => new(Title ?? "", Summary ?? "", Problem ?? "", Solution ?? "", ExpectedEffect ?? "",
        Category ?? "", Relation ?? ProposerRelation.Lives, OrganisationName, TitleEn, SummaryEn);
}

public sealed record WithdrawRequest(string? Reason);

/// <summary>A proposal received on paper or by mail: who sent it, how to reach them, when and how it arrived (ISO or era date), and what it says.</summary>
public sealed record PaperProposalRequest(
    string? ProposalId, string? Channel, string? ProposerName, string? ProposerContact, string? ReceivedOn,
    string? Title, string? Summary, string? Problem, string? Solution, string? ExpectedEffect,
    string? Category, ProposerRelation? Relation, string? OrganisationName, string? TitleEn = null, string? SummaryEn = null)
{
    public ProposalContent ToContent() => new(Title ?? "", Summary ?? "", Problem ?? "", Solution ?? "", ExpectedEffect ?? "",
        Category ?? "", Relation ?? ProposerRelation.Lives, OrganisationName, TitleEn, SummaryEn);
}

public sealed record ScoreRequest(int Stage, Dictionary<string, int>? Scores);

public sealed record NoteRequest(int Stage, string? NoteId, string? Text);

public sealed record DecisionRequest(int Stage, DecisionKind Decision, string? Message, string? DecisionId);

public sealed record BulkDecisionRequest(IReadOnlyList<string>? ProposalIds, int Stage, DecisionKind Decision, string? Message, string? BatchId);

public sealed record AssigneesRequest(IReadOnlyList<string>? Screeners);

public sealed record StageAssignmentRequest(string? Name, IReadOnlyList<int>? Stages);

public sealed record ShortlistPublishRequest(IReadOnlyList<string>? ProposalIds);

/// <summary>A proposal as anyone may see it: no proposer identity, no private messages.</summary>
public sealed record PublicProposal(string RoundId, string ProposalId, ProposalContent Content, ProposalStatus Status, int Stage,
    int? BallotNumber, string? PublicReason, DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt, IReadOnlyList<ProposalEvent> History)
{
    public static PublicProposal From(ProposalView view)
    {
        var v = view.ForPublic();
        return new(v.RoundId, v.ProposalId, v.Content, v.Status, v.Stage, v.BallotNumber, v.PublicReason, v.PublishedAt, v.UpdatedAt, v.History);
    }
}

/// <summary>A line of a public list.</summary>
public sealed record PublicSummary(string ProposalId, string Title, string Category, ProposalStatus Status, int Stage, int? BallotNumber, string? TitleEn = null)
{
    public static PublicSummary From(ProposalSummary s) => new(s.ProposalId, s.Title, s.Category, s.Status, s.Stage, s.BallotNumber, s.TitleEn);
}

public static class ProposalsApi
{
    public static RouteGroupBuilder MapProposalsApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("Proposals and screening");

        // ---- anyone ----
        round.MapGet("/proposals", async (string roundId, string? search, string? category, string? status, int? skip, int? take,
                ProposalService service, RoundService rounds) =>
            {
                if (await rounds.GetAsync(roundId) is null)
                {
                    return RoundNotFound();
                }

                var page = await service.QueryAsync(roundId, new ProposalQuery(true, Search: search, Category: category, Status: ParseEnum<ProposalStatus>(status),
                    Sort: ProposalSort.Title, Descending: false, Skip: skip ?? 0, Take: take ?? 50));
                return Results.Ok(new { total = page.Total, items = page.Items.Select(PublicSummary.From) });
            })
            .AllowAnonymous();

        round.MapGet("/proposals/{proposalId}", async (string roundId, string proposalId, HttpContext http, ProposalService service) =>
            {
                // Optional bearer: the proposer and staff see more than the public.
                var auth = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
                var reader = auth.Succeeded ? auth.Principal.ToActor() : null;
                var view = await service.GetForReaderAsync(roundId, proposalId, reader);
                return view is null ? ProposalNotFound()
                    : view.AuthorSub.Length == 0 ? Results.Ok(PublicProposal.From(view)) : Results.Ok(view);
            })
            .AllowAnonymous();

        round.MapGet("/screening", async (string roundId, ProposalService service, RoundService rounds) =>
                await rounds.GetAsync(roundId) is null ? RoundNotFound() : Results.Ok((await service.ConfigAsync(roundId)).Setup))
            .AllowAnonymous();

        // ---- proposers ----
        round.MapGet("/proposals/mine", async (string roundId, HttpContext http, ProposalService service) =>
                Results.Ok(await service.MineAsync(roundId, http.User.ToActor().Sub)))
            .RequireAuthorization(CivicPolicies.ApiProposer);

        round.MapPost("/proposals", async (string roundId, HttpRequest request, ProposalService service, NoticeEmailAddresses emails) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<ProposalRequest>(request);
                if (malformed is not null)
                {
                    return malformed;
                }

                // Before the proposal's first notice, so a token's address already reaches that one.
                await emails.RecordAsync(request.HttpContext.User);
                var author = request.HttpContext.User.ToActor();
                var proposalId = string.IsNullOrWhiteSpace(body!.ProposalId) ? ProposalValidation.NewProposalId() : body.ProposalId.Trim();
                var result = await service.CreateAsync(roundId, proposalId, author, body.ToContent());
                if (result.Succeeded && body.Submit)
                {
                    result = await service.SubmitAsync(roundId, proposalId, author);
                }

                return result.Succeeded
                    ? Results.Created($"/api/v1/rounds/{roundId}/proposals/{proposalId}", result.Proposal)
                    : Refusal(result.Code!, result.Errors);
            })
            .RequireAuthorization(CivicPolicies.ApiProposer)
            .RequireRateLimiting(RequestLimitsExtensions.ProposalCreatePolicy);

        round.MapPut("/proposals/{proposalId}", async (string roundId, string proposalId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<ProposalRequest>(request);
                return malformed ?? Answer(await service.UpdateAsync(roundId, proposalId, request.HttpContext.User.ToActor(), body!.ToContent()));
            })
            .RequireAuthorization(CivicPolicies.ApiProposer)
            .RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);

        round.MapPost("/proposals/{proposalId}/submit", async (string roundId, string proposalId, HttpContext http, ProposalService service, NoticeEmailAddresses emails) =>
            {
                await emails.RecordAsync(http.User);
                return Answer(await service.SubmitAsync(roundId, proposalId, http.User.ToActor()));
            })
            .RequireAuthorization(CivicPolicies.ApiProposer)
            .RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);

        round.MapPost("/proposals/{proposalId}/withdraw", async (string roundId, string proposalId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<WithdrawRequest>(request);
                return malformed ?? Answer(await service.WithdrawAsync(roundId, proposalId, request.HttpContext.User.ToActor(), body!.Reason ?? ""));
            })
            .RequireAuthorization(CivicPolicies.ApiProposer)
            .RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);

        // ---- staff: proposals received on paper or by mail ----
        round.MapPost("/paper-proposals", async (string roundId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<PaperProposalRequest>(request);
                if (malformed is not null)
                {
                    return malformed;
                }

                if (WardDates.Parse(body!.ReceivedOn) is not { } receivedOn)
                {
                    return Refusal(ProposalErrorCodes.InvalidIntake, [new("intake.receivedOn", "invalid-date", "The day it was received, as 2024-06-03 or R6.6.3.")]);
                }

                var result = await service.EnterFromPaperAsync(roundId, body.ProposalId, request.HttpContext.User.ToActor(),
                    new ProposalIntake(body.Channel ?? "", body.ProposerName ?? "", body.ProposerContact ?? "", receivedOn), body.ToContent());
                return result.Succeeded
                    ? Results.Created($"/api/v1/rounds/{roundId}/proposals/{result.Proposal!.ProposalId}", result.Proposal)
                    : Refusal(result.Code!, result.Errors);
            })
            .RequireAuthorization(CivicPolicies.ApiScreener);

        // ---- screeners (stage assignment checked by the proposal) ----
        round.MapGet("/screening/queue", async (string roundId, int? stage, string? status, string? category, string? assignee,
                string? search, string? sort, bool? descending, int? skip, int? take, ProposalService service) =>
                Results.Ok(await service.QueryAsync(roundId, new ProposalQuery(false, null, search, category, ParseEnum<ProposalStatus>(status), stage, assignee,
                    ParseEnum<ProposalSort>(sort) ?? ProposalSort.Updated, descending ?? true, skip ?? 0, take ?? 50, SubmittedOnly: true))))
            .RequireAuthorization(CivicPolicies.ApiScreener);

        round.MapGet("/proposals/{proposalId}/reviews", async (string roundId, string proposalId, ProposalService service) =>
                await service.GetReviewAsync(roundId, proposalId) is { } review ? Results.Ok(review) : ProposalNotFound())
            .RequireAuthorization(CivicPolicies.ApiScreener);

        round.MapPost("/proposals/{proposalId}/reviews/scores", async (string roundId, string proposalId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<ScoreRequest>(request);
                return malformed ?? Answer(await service.ScoreAsync(roundId, proposalId, request.HttpContext.User.ToActor(), body!.Stage, body.Scores ?? []));
            })
            .RequireAuthorization(CivicPolicies.ApiScreener);

        round.MapPost("/proposals/{proposalId}/reviews/notes", async (string roundId, string proposalId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<NoteRequest>(request);
                return malformed ?? Answer(await service.AddNoteAsync(roundId, proposalId, request.HttpContext.User.ToActor(), body!.Stage,
                    string.IsNullOrWhiteSpace(body.NoteId) ? "n-" + Guid.NewGuid().ToString("N")[..12] : body.NoteId, body.Text ?? ""));
            })
            .RequireAuthorization(CivicPolicies.ApiScreener);

        round.MapPost("/proposals/{proposalId}/reviews/decisions", async (string roundId, string proposalId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<DecisionRequest>(request);
                return malformed ?? Answer(await service.DecideAsync(roundId, proposalId, request.HttpContext.User.ToActor(), body!.Stage,
                    string.IsNullOrWhiteSpace(body.DecisionId) ? "d-" + Guid.NewGuid().ToString("N")[..12] : body.DecisionId, body.Decision, body.Message));
            })
            .RequireAuthorization(CivicPolicies.ApiScreener);

        round.MapPost("/screening/decisions", async (string roundId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<BulkDecisionRequest>(request);
                if (malformed is not null)
                {
                    return malformed;
                }

                if (body!.ProposalIds is not { Count: > 0 and <= 200 } ids)
                {
                    return ApiProblems.Problem(StatusCodes.Status400BadRequest, ProposalErrorCodes.InvalidProposal, "Select 1 to 200 proposals.",
                        errors: [new("proposalIds", ProposalErrorCodes.Required, "Select 1 to 200 proposals.")]);
                }

                var results = await service.DecideManyAsync(roundId, ids, request.HttpContext.User.ToActor(), body.Stage,
                    string.IsNullOrWhiteSpace(body.BatchId) ? Guid.NewGuid().ToString("N") : body.BatchId, body.Decision, body.Message);
                return Results.Ok(results.Select(r => new { proposalId = r.ProposalId, succeeded = r.Result.Succeeded, code = r.Result.Code, status = r.Result.Proposal?.Status }));
            })
            .RequireAuthorization(CivicPolicies.ApiScreener);

        // ---- administrators ----
        round.MapPut("/proposals/{proposalId}/assignees", async (string roundId, string proposalId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<AssigneesRequest>(request);
                return malformed ?? Answer(await service.AssignAsync(roundId, proposalId, request.HttpContext.User.ToActor(), body!.Screeners ?? []));
            })
            .RequireAuthorization(CivicPolicies.ApiAdministrator);

        round.MapPut("/screening", async (string roundId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<ScreeningSetup>(request);
                return malformed ?? ScreeningAnswer(await service.SetSetupAsync(roundId, request.HttpContext.User.ToActor(), body!), r => r.Config!.Setup);
            })
            .RequireAuthorization(CivicPolicies.ApiAdministrator);

        round.MapGet("/screening/assignments", async (string roundId, ProposalService service) =>
                Results.Ok((await service.ConfigAsync(roundId)).Assignments))
            .RequireAuthorization(CivicPolicies.ApiAdministrator);

        round.MapPut("/screening/assignments/{screenerSub}", async (string roundId, string screenerSub, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<StageAssignmentRequest>(request);
                return malformed ?? ScreeningAnswer(await service.AssignStagesAsync(roundId, request.HttpContext.User.ToActor(),
                    new ScreenerAssignment(screenerSub, body!.Name ?? screenerSub, body.Stages ?? [])), r => r.Config!.Assignments);
            })
            .RequireAuthorization(CivicPolicies.ApiAdministrator);

        round.MapPost("/shortlist/publish", async (string roundId, HttpRequest request, ProposalService service) =>
            {
                var (body, malformed) = await ApiRequests.ReadJsonAsync<ShortlistPublishRequest>(request);
                return malformed ?? ScreeningAnswer(await service.PublishShortlistAsync(roundId, request.HttpContext.User.ToActor(), body!.ProposalIds ?? []), r => r.Shortlist!);
            })
            .RequireAuthorization(CivicPolicies.ApiAdministrator);

        round.MapGet("/audit", async (string roundId, int? skip, int? take, string? action, string? subject, AuditService audit, RoundService rounds) =>
            {
                if (await rounds.GetAsync(roundId) is null)
                {
                    return RoundNotFound();
                }

                var page = await audit.ListAsync(roundId, skip ?? 0, take ?? 100, action, subject);
                return Results.Ok(new { total = page.Total, entries = page.Entries });
            })
            .RequireAuthorization(CivicPolicies.ApiAdministrator);

        // ---- the signed-in person's notices ----
        var inbox = api.MapGroup("/inbox").WithTags("Notifications");
        inbox.MapGet("/", async (HttpContext http, NotificationService notifications) =>
                Results.Ok(await notifications.ListAsync(http.User.ToActor().Sub, http.User.FindFirst(Ballots.Voter.VoterKeyClaim)?.Value)))
            .RequireAuthorization(CivicPolicies.ApiSignedIn);
        inbox.MapPost("/{noticeId}/read", async (string noticeId, HttpContext http, NotificationService notifications) =>
            {
                await notifications.MarkReadAsync(http.User.ToActor().Sub, noticeId);
                return Results.NoContent();
            })
            .RequireAuthorization(CivicPolicies.ApiSignedIn)
            .RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);

        return api;
    }

    /// <summary>Query values are kebab-case like the JSON ("in-review", "score"); an unknown value filters nothing.</summary>
    private static T? ParseEnum<T>(string? value) where T : struct, Enum =>
        Enum.TryParse<T>(value?.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : null;

    private static IResult Answer(ProposalCommandResult result) =>
        result.Succeeded ? Results.Ok(result.Proposal) : Refusal(result.Code!, result.Errors);

    private static IResult ScreeningAnswer(ScreeningResult result, Func<ScreeningResult, object> body) =>
        result.Succeeded ? Results.Ok(body(result)) : Refusal(result.Code!, result.Errors);

    private static IResult Refusal(string code, IReadOnlyList<ValidationError> errors) =>
        ApiProblems.Problem(ApiErrors.StatusOf(code), code, errors.FirstOrDefault()?.Message ?? code, errors: errors);

    private static IResult RoundNotFound() =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, RoundErrorCodes.RoundNotFound, "There is no such round.");

    private static IResult ProposalNotFound() =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, ProposalErrorCodes.ProposalNotFound, "There is no such proposal.");
}
