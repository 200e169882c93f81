using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Hosting;
using Chiyoda.Civic.Web.Proposals;

namespace Chiyoda.Civic.Web.Reminders;

public sealed record ReminderOptInRequest(string? Language);

/// <summary>
/// Reminders people asked for: <c>/api/v1/rounds/{roundId}/reminders</c> (the signed-in person's own opt-in; progress
/// for administrators, counts only) and the email's stop link <c>/reminders/unsubscribe</c>, which needs no sign-in:
/// GET shows the confirmation page, POST stops (a browser's form, or a mail system's RFC 8058 one-click POST).
/// </summary>
public static class RemindersApi
{
    public const string UnsubscribePath = "/reminders/unsubscribe";
    public const string StopPagePath = "/reminders/stop";

    public static RouteGroupBuilder MapRemindersApi(this RouteGroupBuilder api)
    {
        var reminders = api.MapGroup("/rounds/{roundId}/reminders").WithTags("Reminders");
        reminders.MapGet("/", Status).RequireAuthorization(CivicPolicies.ApiSignedIn);
        reminders.MapPut("/", OptIn).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);
        reminders.MapDelete("/", OptOut).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);
        reminders.MapGet("/progress", Progress).RequireAuthorization(CivicPolicies.ApiAdministrator);
        return api;
    }

    public static WebApplication MapReminderUnsubscribe(this WebApplication app)
    {
        // The token is the authority (only the email's recipient has it), so no antiforgery token: mail systems post without one.
        app.MapGet(UnsubscribePath, ShowConfirmation).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(UnsubscribePath, Unsubscribe).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    public static async Task<IResult> Status(string roundId, HttpContext http, ReminderService service) =>
        await service.StatusAsync(roundId, http.User.ToActor().Sub) is { } status
            ? Results.Ok(new { optedIn = status.OptedIn, emailOn = status.EmailOn, addressKnown = status.AddressKnown, unsubscribeUrl = status.UnsubscribePath })
            : RoundNotFound();

    public static async Task<IResult> OptIn(string roundId, HttpContext http, ReminderService service, ReminderOptInRequest? body)
    {
        var language = body?.Language ?? (System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" ? "en" : "ja");
        return await service.OptInAsync(roundId, http.User, language) switch
        {
            null => Results.Ok(new { optedIn = true, language }),
            ReminderErrorCodes.RoundNotFound => RoundNotFound(),
            ReminderErrorCodes.InvalidLanguage => ApiProblems.Problem(StatusCodes.Status400BadRequest, ReminderErrorCodes.InvalidLanguage,
                "The language must be \"ja\" or \"en\"."),
            ReminderErrorCodes.EmailOff => ApiProblems.Problem(StatusCodes.Status409Conflict, ReminderErrorCodes.EmailOff,
                "This platform sends no email, so it cannot send reminders."),
            ReminderErrorCodes.NoEmail => ApiProblems.Problem(StatusCodes.Status409Conflict, ReminderErrorCodes.NoEmail,
                "No email address is known for you: sign in on the site (or use a token with the email scope) so the address is recorded."),
            ReminderErrorCodes.Finished => ApiProblems.Problem(StatusCodes.Status409Conflict, ReminderErrorCodes.Finished,
                "The round's results are published: there is nothing left to remind you of."),
            ReminderErrorCodes.Full => ApiProblems.Problem(StatusCodes.Status409Conflict, ReminderErrorCodes.Full,
                "The reminder list of this round is full."),
            var code => ApiProblems.Problem(StatusCodes.Status409Conflict, code, "Reminders were not turned on."),
        };
    }

    public static async Task<IResult> OptOut(string roundId, HttpContext http, ReminderService service) =>
        await service.OptOutAsync(roundId, http.User.ToActor().Sub) ? Results.Ok(new { optedIn = false }) : RoundNotFound();

    public static async Task<IResult> Progress(string roundId, ReminderService service) =>
        await service.ProgressAsync(roundId) is { } events ? Results.Ok(new { events }) : RoundNotFound();

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
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, code,
                "This link to stop reminders is not valid. Open the link from the email again, or sign in and turn reminders off on the round's page.");
        }

        return oneClick
            ? Results.Text(stopped ? "Reminders stopped.\n" : "No reminders are sent through this link.\n", "text/plain; charset=utf-8")
            : Results.Redirect($"{StopPagePath}?round={Uri.EscapeDataString(round!)}&done={(stopped ? "1" : "0")}", permanent: false, preserveMethod: false);
    }

    private static IResult RoundNotFound() =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, ReminderErrorCodes.RoundNotFound, "There is no such round.");
}
