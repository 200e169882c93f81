using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Hosting;
using Chiyoda.Civic.Web.Proposals;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Implementation;

/// <summary>
/// A new step. <see cref="Department"/> is optional: a step that names none keeps the record's department, so only a
/// record that has none yet needs one (refused with <c>invalid-department</c> otherwise).
/// </summary>
public sealed record StatusRequest(string? RequestId, string? Status, DateOnly? Date, string? Note = null, string? NoteEn = null,
    [property: System.ComponentModel.Description("A department from GET /api/v1/implementation/departments. Optional: a step that names none keeps the record's department; needed only while the record has none.")]
    string? Department = null);

public sealed record LinkRequest(string? Title, string? Url);

public sealed record DetailsRequest(string? RequestId, long? BudgetYen, IReadOnlyList<LinkRequest>? Links);

public sealed record IndicatorRequest(string? RequestId, string? Name, string? NameEn, string? Unit, string? UnitEn, decimal? Target, DateOnly? TargetDate);

public sealed record ActualRequest(string? RequestId, DateOnly? Date, decimal? Value, string? Note,
    [property: System.ComponentModel.Description("True replaces the actual already recorded on this date; without it a second actual on a date is refused (409 actual-exists, naming the value held).")]
    bool? Replace = null);

public sealed record WithdrawStepRequest(string? RequestId, string? Reason);

public sealed record AdoptedOnRequest(string? RequestId, DateOnly? Date);

public sealed record ImplementationAssigneesRequest(string? RequestId, IReadOnlyList<ImplementationAssignee>? Assignees);

/// <summary>Whether the caller follows a proposal.</summary>
public sealed record FollowState(bool Following);

/// <summary>Whether the caller asked to be told when the round's results are out.</summary>
public sealed record ResultsNoticeState(bool Subscribed);

/// <summary>The departments a step may name.</summary>
public sealed record DepartmentList(IReadOnlyList<string> Departments);

/// <summary>Implementation records across rounds, filtered.</summary>
public sealed record ImplementationList(IReadOnlyList<ImplementationSummary> Items);

/// <summary>
/// Implementation records of adopted proposals: public reads (one record, the ward-wide list, open data), changes by
/// administrators and assigned department staff, and following a proposal. Refusals are problem details with a code.
/// </summary>
public static class ImplementationApi
{
    public static RouteGroupBuilder MapImplementationApi(this RouteGroupBuilder api)
    {
        var ward = api.MapGroup("/implementation").WithTags("Implementation");
        // Named where the handler's name alone (List, Path, Get) says nothing of what it lists or gets.
        ward.MapGet("/", List).AllowAnonymous().WithName("listImplementationRecords").WithSummary("Every implementation record across rounds, filtered")
            .QueryListed("status", "GET /api/v1/implementation/path (a status id, or not-pursued)", http => Service(http).FilterStatusesAsync())
            .QueryRange("year", ImplementationFilter.FirstYear, ImplementationFilter.LastYear)
            .QueryListed("category", "GET /api/v1/rounds/{roundId}/screening (a category id)", http => Service(http).FilterCategoriesAsync())
            .QueryListed("department", "GET /api/v1/implementation/departments", http => Service(http).FilterDepartmentsAsync());
        ward.MapGet("/path", Path).AllowAnonymous().WithName("getImplementationPath").WithSummary("The ward's status path");
        ward.MapPut("/path", SetImplementationPath).RequireAuthorization(CivicPolicies.ApiAdministrator).WithSummary("Replace the status path (administrators)")
            .ProducesErrors(ApiErrors.InvalidPath, ApiErrors.StatusInUse);
        ward.MapGet("/departments", ListDepartments).AllowAnonymous().WithSummary("The departments a step may name (the ward's list)");
        ward.MapGet("/open-data", ImplementationOpenData.Index).AllowAnonymous().WithName("listImplementationOpenData")
            .WithSummary("The implementation files with their SHA-256");
        ward.MapGet("/records.json", ImplementationOpenData.Json).AllowAnonymous().WithName("getImplementationRecordsJson")
            .WithSummary("Implementation records as JSON")
            .Downloads("application/json", description: "path (the status ids in order, then not-pursued) and records (per adopted proposal: title, "
                + "status, progress, department, budgetYen, links, steps, indicators).");
        ward.MapGet("/records.csv", ImplementationOpenData.Csv).AllowAnonymous().WithName("getImplementationRecordsCsv")
            .WithSummary("Implementation records as CSV")
            .Downloads("text/csv", description: "RFC 4180, UTF-8 with BOM, CRLF; one line per step, budget, link, indicator and actual (column kind); header "
                + ImplementationOpenData.CsvHeader + ".");

        var record = api.MapGroup("/rounds/{roundId}/proposals/{proposalId}/implementation").WithTags("Implementation");
        record.MapGet("/", Get).AllowAnonymous().WithName("getImplementationRecord").WithSummary("One adopted proposal's implementation record")
            .ProducesErrors(ApiErrors.ImplementationNotFound);
        record.MapPost("/status", SetImplementationStatus).RequireAuthorization(CivicPolicies.ApiDepartment).WithSummary("Record a step of the timeline")
            .ProducesErrors(Command(ApiErrors.InvalidStatus, ApiErrors.StatusNotForward, ApiErrors.InvalidDate, ApiErrors.ReasonRequired, ApiErrors.InvalidText, ApiErrors.InvalidDepartment, ApiErrors.TooMany));
        record.MapPut("/details", SetImplementationDetails).RequireAuthorization(CivicPolicies.ApiDepartment).WithSummary("Set the budget and links")
            .ProducesErrors(Command(ApiErrors.InvalidBudget, ApiErrors.InvalidLink, ApiErrors.TooMany));
        record.MapPut("/indicators/{indicatorId}", SetIndicator).RequireAuthorization(CivicPolicies.ApiDepartment).WithSummary("Add or change an indicator")
            .ProducesErrors(Command(ApiErrors.InvalidIndicator, ApiErrors.InvalidDate, ApiErrors.TooMany));
        record.MapPost("/indicators/{indicatorId}/actuals", RecordActual).RequireAuthorization(CivicPolicies.ApiDepartment).WithSummary("Record an indicator's actual on a date")
            .ProducesErrors(Command(ApiErrors.IndicatorNotFound, ApiErrors.InvalidIndicator, ApiErrors.InvalidDate, ApiErrors.InvalidText, ApiErrors.TooMany, ApiErrors.ActualExists));
        record.MapDelete("/indicators/{indicatorId}", DeleteIndicator).RequireAuthorization(CivicPolicies.ApiDepartment)
            .WithSummary("Delete an indicator with its actuals (audited; pages and open data stop showing it)")
            .ProducesErrors(Command(ApiErrors.IndicatorNotFound));
        record.MapDelete("/indicators/{indicatorId}/actuals/{date}", DeleteActual).RequireAuthorization(CivicPolicies.ApiDepartment)
            .WithSummary("Delete an indicator's actual on a date (yyyy-MM-dd; a wrong entry, audited)")
            .ProducesErrors(Command(ApiErrors.IndicatorNotFound, ApiErrors.ActualNotFound, ApiErrors.InvalidDate));
        record.MapPost("/steps/{seq:int}/withdraw", WithdrawStep).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Withdraw the latest step with a reason (administrators; audited, no longer shown in public)")
            .ProducesErrors(Command(ApiErrors.StepNotWithdrawable, ApiErrors.ReasonRequired, ApiErrors.InvalidText));
        record.MapPut("/assignees", AssignImplementationStaff).RequireAuthorization(CivicPolicies.ApiAdministrator).WithSummary("Assign department staff (administrators)")
            .ProducesErrors(Command(ApiErrors.InvalidAssignment));
        record.MapPut("/adopted-on", SetAdoptedOn).RequireAuthorization(CivicPolicies.ApiAdministrator).WithSummary("Correct the adoption date (administrators)")
            .ProducesErrors(Command(ApiErrors.InvalidDate));

        var follow = api.MapGroup("/rounds/{roundId}/proposals/{proposalId}/follow").WithTags("Implementation");
        follow.MapGet("/", GetProposalFollowState).RequireAuthorization(CivicPolicies.ApiSignedIn).WithSummary("Whether the caller follows the proposal");
        follow.MapPut("/", FollowProposal).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Follow a published proposal").ProducesErrors(ApiErrors.ProposalNotFound);
        follow.MapDelete("/", UnfollowProposal).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Stop following").ProducesErrors(ApiErrors.ProposalNotFound);
        var resultsNotice = api.MapGroup("/rounds/{roundId}/results-notice").WithTags("Implementation");
        resultsNotice.MapGet("/", GetResultsNoticeState).RequireAuthorization(CivicPolicies.ApiSignedIn).WithSummary("Whether the caller asked for the results notice")
            .ProducesErrors(ApiErrors.RoundNotFound);
        resultsNotice.MapPut("/", SubscribeToResultsNotice).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Ask to be told when the results are out (people on the round's register who were old enough to vote in it)")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.NotOnRegister, ApiErrors.UnderAge);
        resultsNotice.MapDelete("/", UnsubscribeFromResultsNotice).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("No longer be told").ProducesErrors(ApiErrors.RoundNotFound);
        return api;
    }

    public const string UnfollowPath = "/following/unsubscribe";
    public const string StopFollowingPagePath = "/following/stop";

    /// <summary>
    /// The stop link in a follower's emails, no sign-in (the token is the authority, so no antiforgery token: mail systems
    /// post without one): GET shows the confirmation page and changes nothing (link scanners stop nobody), POST stops (the
    /// page's form, or a mail system's RFC 8058 one-click POST). As the reminders' link (<c>RemindersApi</c>).
    /// </summary>
    public static WebApplication MapFollowUnsubscribe(this WebApplication app)
    {
        app.MapGet(UnfollowPath, ShowStopFollowing).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(UnfollowPath, StopFollowing).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    public static IResult ShowStopFollowing(string? round, string? proposal, string? token) =>
        Results.Redirect($"{StopFollowingPagePath}?round={Uri.EscapeDataString(round ?? "")}&proposal={Uri.EscapeDataString(proposal ?? "")}&token={Uri.EscapeDataString(token ?? "")}");

    public static async Task<IResult> StopFollowing(HttpContext http, ImplementationService service, string? round, string? proposal, string? token)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : null;
        round ??= form?["round"];
        proposal ??= form?["proposal"];
        token ??= form?["token"];
        var oneClick = form is not null && form["List-Unsubscribe"].ToString() == "One-Click";
        var (code, stopped) = await service.UnfollowByTokenAsync(round, proposal, token);
        if (code is not null)
        {
            return ApiErrors.Problem(code);
        }

        return oneClick
            ? Results.Text(stopped ? "Stopped following the proposal.\n" : "No notices come through this link.\n", "text/plain; charset=utf-8")
            : Results.Redirect($"{StopFollowingPagePath}?round={Uri.EscapeDataString(round!)}&proposal={Uri.EscapeDataString(proposal!)}&token={Uri.EscapeDataString(token!)}&done={(stopped ? "1" : "0")}",
                permanent: false, preserveMethod: false);
    }

    public static async Task<Results<Ok<ResultsNoticeState>, ProblemHttpResult>> GetResultsNoticeState(string roundId, Caller caller, ImplementationService service) =>
        Answer(await service.ResultsNoticeAsync(roundId, caller.Voter!, null));

    /// <summary>Only people who could vote in the round (on its register, of age by its last day of voting) may ask: else 403, as 「満足度」 answers.</summary>
    public static async Task<Results<Ok<ResultsNoticeState>, ProblemHttpResult>> SubscribeToResultsNotice(string roundId, Caller caller, ImplementationService service) =>
        Answer(await service.ResultsNoticeAsync(roundId, caller.Voter!, true));

    public static async Task<Results<Ok<ResultsNoticeState>, ProblemHttpResult>> UnsubscribeFromResultsNotice(string roundId, Caller caller, ImplementationService service) =>
        Answer(await service.ResultsNoticeAsync(roundId, caller.Voter!, false));

    private static Results<Ok<ResultsNoticeState>, ProblemHttpResult> Answer(ResultsNoticeAnswer? answer) => answer switch
    {
        null => ApiErrors.Problem(ApiErrors.RoundNotFound),
        { Refusal: Abstractions.Ballots.BallotErrorCodes.UnderAge } => ApiErrors.Problem(ApiErrors.UnderAge,
            "Only residents who were old enough to vote in this round may ask to be told when its results are out."),
        { Refusal: { } } => ApiErrors.Problem(ApiErrors.NotOnRegister, "Only residents on this round's voter register may ask to be told when its results are out."),
        { } ok => TypedResults.Ok(new ResultsNoticeState(ok.Subscribed)),
    };

    private static ImplementationService Service(HttpContext http) => http.RequestServices.GetRequiredService<ImplementationService>();

    /// <summary>
    /// The ward-wide list. Each filter takes only a value the list can hold (<c>invalid-query</c> naming the parameter
    /// otherwise), so a typo is not answered with an empty list as if nothing matched.
    /// </summary>
    public static async Task<Ok<ImplementationList>> List(string? status, int? year, string? category, string? department, ImplementationService service) =>
        TypedResults.Ok(new ImplementationList(await service.ListAsync(new ImplementationFilter(status, year, category, department))));

    public static async Task<Ok<ImplementationPath>> Path(ImplementationService service) => TypedResults.Ok(await service.PathAsync());

    public static Ok<DepartmentList> ListDepartments(ImplementationService service) => TypedResults.Ok(new DepartmentList(service.Departments()));

    /// <summary>The refusals every change of a record may give (a request id sent again with another change too), with those of the command itself.</summary>
    private static ApiError[] Command(params ApiError[] own) =>
        [ApiErrors.ImplementationNotFound, ApiErrors.NotAssigned, ApiErrors.InvalidRequestId, ApiErrors.IdempotencyKeyReused, .. own];

    public static async Task<Results<Ok<ImplementationPath>, ProblemHttpResult>> SetImplementationPath(JsonBody<ImplementationPath> json, Caller caller, ImplementationService service)
    {
        var body = json.Value;
        var result = await service.SetPathAsync(caller.Actor, body);
        return result.Code is null ? TypedResults.Ok(await service.PathAsync()) : ApiErrors.Problem(result);
    }

    /// <summary>The public record; administrators and department staff (bearer) also see who is assigned.</summary>
    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> Get(string roundId, string proposalId, HttpContext http, ImplementationService service)
    {
        if (await service.GetAsync(roundId, proposalId) is not { } record)
        {
            return NotFound();
        }

        var auth = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        var staff = auth.Succeeded && (auth.Principal.IsInRole(Roles.Administrator) || auth.Principal.IsInRole(Roles.Department));
        return TypedResults.Ok(staff ? record : record.ForPublic());
    }

    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> SetImplementationStatus(string roundId, string proposalId, JsonBody<StatusRequest> json, Caller caller, ImplementationService service)
    {
        var body = json.Value;
        if (body.Date is not { } date)
        {
            return ApiErrors.Problem(CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidDate, [ImplementationDates.Step(null, default, default, default)!.Error]));
        }

        return Answer(await service.SetStatusAsync(roundId, proposalId, caller.Actor, body.RequestId ?? "",
            new StatusChange(body.Status ?? "", date, body.Note, body.NoteEn, body.Department)));
    }

    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> SetImplementationDetails(string roundId, string proposalId, JsonBody<DetailsRequest> json, Caller caller, ImplementationService service)
    {
        var body = json.Value;
        var links = (body.Links ?? []).Select(l => new ImplementationLink(l.Title ?? "", l.Url ?? "")).ToList();
        return Answer(await service.SetDetailsAsync(roundId, proposalId, caller.Actor, body.RequestId ?? "",
            new ImplementationDetails(body.BudgetYen, links)));
    }

    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> SetIndicator(string roundId, string proposalId, string indicatorId, JsonBody<IndicatorRequest> json, Caller caller, ImplementationService service)
    {
        var body = json.Value;
        return Answer(await service.SetIndicatorAsync(roundId, proposalId, caller.Actor, body.RequestId ?? "",
            new IndicatorDefinition(indicatorId, body.Name ?? "", body.NameEn, body.Unit ?? "", body.UnitEn, body.Target ?? 0, body.TargetDate)));
    }

    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> RecordActual(string roundId, string proposalId, string indicatorId, JsonBody<ActualRequest> json, Caller caller, ImplementationService service)
    {
        var body = json.Value;
        if (body.Date is not { } date)
        {
            return ApiErrors.Problem(CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidDate, [ImplementationDates.Actual(null, default, default)!.Error]));
        }

        if (body.Value is not { } value)
        {
            return ApiErrors.Problem(CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidIndicator, "An actual needs a value (a number from 0).", "value"));
        }

        return Answer(await service.RecordActualAsync(roundId, proposalId, caller.Actor, body.RequestId ?? "", indicatorId,
            new IndicatorActual(date, value, body.Note), body.Replace == true));
    }

    /// <summary>Deletes an indicator and its actuals; the request id is the <c>Idempotency-Key</c> header when sent.</summary>
    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> DeleteIndicator(string roundId, string proposalId, string indicatorId,
        IdempotencyKey? idempotencyKey, Caller caller, ImplementationService service) =>
        Answer(await service.DeleteIndicatorAsync(roundId, proposalId, caller.Actor, idempotencyKey?.Value ?? Guid.NewGuid().ToString("N"), indicatorId));

    /// <summary>Deletes the actual dated <paramref name="date"/> (yyyy-MM-dd); the request id is the <c>Idempotency-Key</c> header when sent.</summary>
    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> DeleteActual(string roundId, string proposalId, string indicatorId, string date,
        IdempotencyKey? idempotencyKey, Caller caller, ImplementationService service)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
        {
            return ApiErrors.Problem(CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidDate,
                $"The actual's date in the address (\"{date}\") is not a date: write it as yyyy-MM-dd.", "date"));
        }

        return Answer(await service.DeleteActualAsync(roundId, proposalId, caller.Actor, idempotencyKey?.Value ?? Guid.NewGuid().ToString("N"), indicatorId, day));
    }

    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> WithdrawStep(string roundId, string proposalId, int seq, JsonBody<WithdrawStepRequest> json, Caller caller, ImplementationService service)
    {
        var body = json.Value;
        return Answer(await service.WithdrawStepAsync(roundId, proposalId, caller.Actor, body.RequestId ?? "", seq, body.Reason ?? ""));
    }

    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> SetAdoptedOn(string roundId, string proposalId, JsonBody<AdoptedOnRequest> json, Caller caller, ImplementationService service)
    {
        var body = json.Value;
        return body.Date is not { } date
            ? ApiErrors.Problem(CommandResult<ImplementationRecord>.Refused(ImplementationErrorCodes.InvalidDate, "The adoption date is required (yyyy-MM-dd).", "date"))
            : Answer(await service.SetAdoptedOnAsync(roundId, proposalId, caller.Actor, body.RequestId ?? "", date));
    }

    public static async Task<Results<Ok<ImplementationRecord>, ProblemHttpResult>> AssignImplementationStaff(string roundId, string proposalId, JsonBody<ImplementationAssigneesRequest> json, Caller caller, ImplementationService service)
    {
        var body = json.Value;
        if (body.Assignees is not { } assignees)
        {
            // The list replaces the one held: a body without it (a field misspelt, or null) must not remove every assignee.
            const string message = "\"assignees\" is required: send the whole list of assigned department staff ([] removes every assignee).";
            return ApiErrors.Problem(ApiErrors.MalformedRequest, message,
                errors: [new ValidationError("assignees", ApiErrors.MalformedRequest.Code, message)]);
        }

        return Answer(await service.AssignAsync(roundId, proposalId, caller.Actor, body.RequestId ?? "", assignees));
    }

    public static async Task<Ok<FollowState>> GetProposalFollowState(string roundId, string proposalId, HttpContext http, ImplementationService service) =>
        TypedResults.Ok(new FollowState(await service.IsFollowingAsync(roundId, proposalId, http.User.ToActor().Sub)));

    /// <summary>A token with the email scope records the address first (as proposals do), so the follower's notices can be emailed.</summary>
    public static async Task<Results<Ok<FollowState>, ProblemHttpResult>> FollowProposal(string roundId, string proposalId, HttpContext http, ImplementationService service,
        Notifications.NoticeEmailAddresses emails)
    {
        if (!await service.FollowAsync(roundId, proposalId, http.User.ToActor().Sub))
        {
            return ApiErrors.Problem(ApiErrors.ProposalNotFound.Code, "There is no such published proposal to follow.");
        }

        await emails.RecordAsync(http.User);
        return TypedResults.Ok(new FollowState(true));
    }

    public static async Task<Results<Ok<FollowState>, ProblemHttpResult>> UnfollowProposal(string roundId, string proposalId, HttpContext http, ImplementationService service) =>
        await service.UnfollowAsync(roundId, proposalId, http.User.ToActor().Sub)
            ? TypedResults.Ok(new FollowState(false))
            : ApiErrors.Problem(ApiErrors.ProposalNotFound);

    private static Results<Ok<ImplementationRecord>, ProblemHttpResult> Answer(CommandResult<ImplementationRecord> result) => result.Succeeded ? TypedResults.Ok(result.Value!) : ApiErrors.Problem(result);

    private static ProblemHttpResult NotFound() => ApiErrors.Problem(ApiErrors.ImplementationNotFound);
}
