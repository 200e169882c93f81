using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Hosting;
using Chiyoda.Civic.Web.Proposals;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Reminders;

public sealed record ReminderOptInRequest(string? Language);

/// <summary>The caller's reminders for a round: opted in or not, whether they could be, and their stop link (relative).</summary>
public sealed record ReminderStatusResponse(bool OptedIn, bool EmailOn, bool AddressKnown, string? UnsubscribeUrl);

public sealed record ReminderOptInResponse(bool OptedIn, string Language);

public sealed record ReminderOptOutResponse(bool OptedIn);

public sealed record ReminderProgressResponse(IReadOnlyList<ReminderEventProgress> Events);

/// <summary>
/// Reminders people asked for: <c>/api/v1/rounds/{roundId}/reminders</c> (the signed-in person's own opt-in; progress
/// for administrators, counts only) and the email's stop link <c>/reminders/unsubscribe</c>, which needs no sign-in:
/// GET shows the confirmation page, POST stops (a browser's form, or a mail system's RFC 8058 one-click POST).
/// Named handlers, a bound request record, typed results, refusals from the one catalogue (<see cref="ApiErrors"/>).
/// </summary>
public static class RemindersApi
{
    public const string UnsubscribePath = "/reminders/unsubscribe";
    public const string StopPagePath = "/reminders/stop";

    public static RouteGroupBuilder MapRemindersApi(this RouteGroupBuilder api)
    {
        var reminders = api.MapGroup("/rounds/{roundId}/reminders").WithTags("Reminders");
        reminders.MapGet("/", GetReminderStatus).RequireAuthorization(CivicPolicies.ApiSignedIn).WithSummary("Whether you get reminder emails for a round")
            .ProducesErrors(ApiErrors.RoundNotFound);
        reminders.MapPut("/", OptInToReminders).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Get reminder emails for a round (a confirmation email is sent)")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidLanguage, ApiErrors.EmailOff, ApiErrors.EmailUnknown,
                ApiErrors.RemindersFinished, ApiErrors.RemindersFull);
        reminders.MapDelete("/", OptOutOfReminders).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Stop reminder emails for a round").ProducesErrors(ApiErrors.RoundNotFound);
        reminders.MapGet("/progress", GetReminderProgress).RequireAuthorization(CivicPolicies.ApiAdministrator).WithSummary("How far each reminder has gone (counts only)")
            .ProducesErrors(ApiErrors.RoundNotFound);
        return api;
    }

    public static WebApplication MapReminderUnsubscribe(this WebApplication app)
    {
        // The token is the authority (only the email's recipient has it), so no antiforgery token: mail systems post without one.
        app.MapGet(UnsubscribePath, ShowConfirmation).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(UnsubscribePath, Unsubscribe).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<Ok<ReminderStatusResponse>, ProblemHttpResult>> GetReminderStatus(string roundId, Caller caller, ReminderService service) =>
        await service.StatusAsync(roundId, caller.Actor.Sub) is { } status
            ? TypedResults.Ok(new ReminderStatusResponse(status.OptedIn, status.EmailOn, status.AddressKnown, status.UnsubscribePath))
            : RoundNotFound();

    /// <summary>The body is optional (a nullable <see cref="JsonBody{T}"/>): without one, the page's language. A body that is there must be JSON of the record's shape.</summary>
    public static async Task<Results<Ok<ReminderOptInResponse>, ProblemHttpResult>> OptInToReminders(string roundId, JsonBody<ReminderOptInRequest>? body, Caller caller, ReminderService service)
    {
        var language = body?.Value.Language
            ?? (System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" ? "en" : "ja");
        return await service.OptInAsync(roundId, caller.User, language) is { } code
            ? ApiErrors.Problem(code)
            : TypedResults.Ok(new ReminderOptInResponse(true, language));
    }

    public static async Task<Results<Ok<ReminderOptOutResponse>, ProblemHttpResult>> OptOutOfReminders(string roundId, Caller caller, ReminderService service) =>
        await service.OptOutAsync(roundId, caller.Actor.Sub) ? TypedResults.Ok(new ReminderOptOutResponse(false)) : RoundNotFound();

    public static async Task<Results<Ok<ReminderProgressResponse>, ProblemHttpResult>> GetReminderProgress(string roundId, ReminderService service) =>
        await service.ProgressAsync(roundId) is { } events ? TypedResults.Ok(new ReminderProgressResponse(events)) : RoundNotFound();

    /// <summary>A link opened in a browser (or a mail client without one-click) lands on the confirmation page: a GET changes nothing.</summary>
    public static IResult ShowConfirmation(string? round, string? token) =>
        Results.Redirect($"{StopPagePath}?round={Uri.EscapeDataString(round ?? "")}&token={Uri.EscapeDataString(token ?? "")}");

    public static async Task<IResult> Unsubscribe(HttpContext http, ReminderService service, string? round, string? token)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : null;
        round ??= form?["round"];
        token ??= form?["token"];
        var oneClick = form is not null && form["List-Unsubscribe"].ToString() == "One-Click";
        var (code, stopped) = await service.UnsubscribeAsync(round, token);
        if (code is not null)
        {
            return ApiErrors.Problem(code);
        }

        return oneClick
            ? Results.Text(stopped ? "Reminders stopped.\n" : "No reminders are sent through this link.\n", "text/plain; charset=utf-8")
            : Results.Redirect($"{StopPagePath}?round={Uri.EscapeDataString(round!)}&token={Uri.EscapeDataString(token!)}&done={(stopped ? "1" : "0")}", permanent: false, preserveMethod: false);
    }

    private static ProblemHttpResult RoundNotFound() => ApiErrors.Problem(ApiErrors.RoundNotFound);
}
