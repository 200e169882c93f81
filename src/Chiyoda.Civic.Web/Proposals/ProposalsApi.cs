using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Hosting;
using Chiyoda.Civic.Web.Notifications;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;

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

public sealed record NoteRequest(int Stage, string? NoteId = null, string? Text = null);

/// <summary>A decision at a stage; <see cref="Message"/> is needed for <c>return</c> and <c>decline</c> only, <see cref="DecisionId"/> makes a retry safe.</summary>
public sealed record DecisionRequest(int Stage, DecisionKind Decision, string? Message = null, string? DecisionId = null);

public sealed record BulkDecisionRequest(IReadOnlyList<string>? ProposalIds, int Stage, DecisionKind Decision, string? Message = null, string? BatchId = null);

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

/// <summary>A page of the public list of a round's proposals.</summary>
public sealed record PublicProposalPage(int Total, IEnumerable<PublicSummary> Items);

/// <summary>/api/v1/rounds/{roundId}/proposals and …/paper-proposals: proposing (residents) and proposals received on paper (staff).</summary>
public static class ProposalsApi
{
    public static RouteGroupBuilder MapProposalsApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("Proposals");

        // ---- anyone ----
        round.MapGet("/proposals", ListProposals).AllowAnonymous().WithSummary("List a round's published proposals")
            .Paged(Screening.ScreeningApi.ProposalPageMax).QueryChoice<ProposalStatus>("status")
            .ProducesErrors(ApiErrors.RoundNotFound);
        round.MapGet("/proposals/{proposalId}", GetProposal).AllowAnonymous()
            .WithSummary("Get a proposal (its proposer and staff, with a bearer token, see more than the public)")
            .ProducesViews(StatusCodes.Status200OK, typeof(PublicProposal), typeof(ProposalView))
            .ProducesErrors(ApiErrors.ProposalNotFound);

        // ---- proposers ----
        round.MapGet("/proposals/mine", ListMyProposals).RequireAuthorization(CivicPolicies.ApiProposer).WithSummary("List your own proposals in a round");
        round.MapPost("/proposals", CreateProposal).RequireAuthorization(CivicPolicies.ApiProposer)
            .RequireRateLimiting(RequestLimitsExtensions.ProposalCreatePolicy)
            .WithSummary("Create a proposal (and submit it with submit: true)")
            .ProducesErrors(ApiErrors.InvalidProposalId, ApiErrors.InvalidProposal, ApiErrors.RoundNotFound, ApiErrors.CallClosed,
                ApiErrors.ProposalLimit, ApiErrors.RoundFull, ApiErrors.ProposalExists);
        round.MapPut("/proposals/{proposalId}", UpdateProposal).RequireAuthorization(CivicPolicies.ApiProposer)
            .RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Edit your proposal")
            .ProducesErrors(ApiErrors.InvalidProposal, ApiErrors.NotAuthor, ApiErrors.ProposalNotFound, ApiErrors.NotEditable, ApiErrors.ProposalWithdrawn, ApiErrors.ProposalFrozen);
        round.MapPost("/proposals/{proposalId}/submit", SubmitProposal).RequireAuthorization(CivicPolicies.ApiProposer)
            .RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Submit your draft proposal")
            .ProducesErrors(ApiErrors.InvalidProposal, ApiErrors.NotAuthor, ApiErrors.ProposalNotFound, ApiErrors.CallClosed, ApiErrors.NotEditable, ApiErrors.ProposalWithdrawn);
        round.MapPost("/proposals/{proposalId}/withdraw", WithdrawProposal).RequireAuthorization(CivicPolicies.ApiProposer)
            .RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Withdraw your proposal")
            .ProducesErrors(ApiErrors.InvalidReason, ApiErrors.NotAuthor, ApiErrors.ProposalNotFound, ApiErrors.ProposalWithdrawn, ApiErrors.ProposalFrozen);

        // ---- staff: proposals received on paper or by mail ----
        round.MapPost("/paper-proposals", EnterPaperProposal).RequireAuthorization(CivicPolicies.ApiScreener)
            .WithSummary("Enter a proposal received on paper or by mail for its named proposer")
            .ProducesErrors(ApiErrors.InvalidIntake, ApiErrors.InvalidProposal, ApiErrors.InvalidProposalId, ApiErrors.NotStaff, ApiErrors.RoundNotFound,
                ApiErrors.CallClosed, ApiErrors.ProposalLimit, ApiErrors.RoundFull, ApiErrors.ProposalExists);
        return api;
    }

    public static async Task<Results<Ok<PublicProposalPage>, ProblemHttpResult>> ListProposals(string roundId, string? search, string? category, string? status,
        int? skip, int? take, ProposalService service, RoundService rounds)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return RoundNotFound();
        }

        var page = await service.QueryAsync(roundId, new ProposalQuery(true, Search: search, Category: category, Status: QueryRules.Parse<ProposalStatus>(status),
            Sort: ProposalSort.Title, Descending: false, Skip: skip ?? 0, Take: take ?? 50));
        return TypedResults.Ok(new PublicProposalPage(page.Total, page.Items.Select(PublicSummary.From)));
    }

    public static async Task<Results<Ok<PublicProposal>, Ok<ProposalView>, ProblemHttpResult>> GetProposal(string roundId, string proposalId, HttpContext http, ProposalService service)
    {
        // Optional bearer: the proposer and staff see more than the public.
        var auth = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        var reader = auth.Succeeded ? auth.Principal.ToActor() : null;
        var view = await service.GetForReaderAsync(roundId, proposalId, reader);
        return view is null ? ProposalNotFound()
            : view.AuthorSub.Length == 0 ? TypedResults.Ok(PublicProposal.From(view)) : TypedResults.Ok(view);
    }

    public static async Task<Ok<IReadOnlyList<ProposalView>>> ListMyProposals(string roundId, Caller caller, ProposalService service) =>
        TypedResults.Ok(await service.MineAsync(roundId, caller.Actor.Sub));

    public static async Task<Results<Created<ProposalView>, ProblemHttpResult>> CreateProposal(string roundId, JsonBody<ProposalRequest> json, Caller caller,
        ProposalService service, NoticeEmailAddresses emails)
    {
        var body = json.Value;

        // Before the proposal's first notice, so a token's address already reaches that one.
        await emails.RecordAsync(caller.User);
        var proposalId = string.IsNullOrWhiteSpace(body.ProposalId) ? ProposalValidation.NewProposalId() : body.ProposalId.Trim();
        var result = await service.CreateAsync(roundId, proposalId, caller.Actor, body.ToContent());
        if (result.Succeeded && body.Submit)
        {
            result = await service.SubmitAsync(roundId, proposalId, caller.Actor);
        }

        return result.Succeeded
            ? TypedResults.Created($"/api/v1/rounds/{roundId}/proposals/{proposalId}", result.Value)
            : ApiErrors.Problem(result);
    }

    public static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> UpdateProposal(string roundId, string proposalId, JsonBody<ProposalRequest> body, Caller caller, ProposalService service) =>
        Answer(await service.UpdateAsync(roundId, proposalId, caller.Actor, body.Value.ToContent()));

    public static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> SubmitProposal(string roundId, string proposalId, Caller caller, ProposalService service, NoticeEmailAddresses emails)
    {
        await emails.RecordAsync(caller.User);
        return Answer(await service.SubmitAsync(roundId, proposalId, caller.Actor));
    }

    public static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> WithdrawProposal(string roundId, string proposalId, JsonBody<WithdrawRequest> body, Caller caller, ProposalService service) =>
        Answer(await service.WithdrawAsync(roundId, proposalId, caller.Actor, body.Value.Reason ?? ""));

    public static async Task<Results<Created<ProposalView>, ProblemHttpResult>> EnterPaperProposal(string roundId, JsonBody<PaperProposalRequest> json, Caller caller, ProposalService service)
    {
        var body = json.Value;
        if (WardDates.Parse(body.ReceivedOn) is not { } receivedOn)
        {
            return ApiErrors.Problem(CommandResult<ProposalView>.Refused(ProposalErrorCodes.InvalidIntake, [new("intake.receivedOn", "invalid-date", "The day it was received, as 2024-06-03 or R6.6.3.")]));
        }

        var result = await service.EnterFromPaperAsync(roundId, body.ProposalId, caller.Actor,
            new ProposalIntake(body.Channel ?? "", body.ProposerName ?? "", body.ProposerContact ?? "", receivedOn, "", "", default), body.ToContent());
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/rounds/{roundId}/proposals/{result.Value!.ProposalId}", result.Value)
            : ApiErrors.Problem(result);
    }

    internal static Results<Ok<ProposalView>, ProblemHttpResult> Answer(CommandResult<ProposalView> result) =>
        result.Succeeded ? TypedResults.Ok(result.Value!) : ApiErrors.Problem(result);

    internal static ProblemHttpResult RoundNotFound() => ApiErrors.Problem(ApiErrors.RoundNotFound);

    internal static ProblemHttpResult ProposalNotFound() => ApiErrors.Problem(ApiErrors.ProposalNotFound);
}
