using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Files;
using Chiyoda.Civic.Web.Hosting;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Chiyoda.Civic.Web.RoundResults;

/// <summary>Open data: results (JSON, CSV), anonymised ballots (CSV, PABULIB) once published, and the round's calendar.</summary>
public static class ResultsApi
{
    public static RouteGroupBuilder MapResultsApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("Results");
        round.MapGet("/results", (string roundId, HttpContext http, ResultsService results) => FileAsync(roundId, "results", http, results)).AllowAnonymous();
        round.MapGet("/results.csv", (string roundId, HttpContext http, ResultsService results) => FileAsync(roundId, "results.csv", http, results)).AllowAnonymous();
        round.MapGet("/ballots.csv", (string roundId, HttpContext http, ResultsService results) => FileAsync(roundId, "ballots.csv", http, results)).AllowAnonymous();
        round.MapGet("/ballots.pb", (string roundId, HttpContext http, ResultsService results) => FileAsync(roundId, "ballots.pb", http, results)).AllowAnonymous();
        // The calendar's links and ids are made from Site:Url, never from the request's Host header.
        round.MapGet("/calendar.ics", CalendarAsync).AllowAnonymous();
        return api;
    }

    private static async Task<IResult> FileAsync(string roundId, string name, HttpContext http, ResultsService results)
    {
        // Optional bearer: administrators may read a certified count before it is published.
        var auth = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        var administrator = auth.Succeeded && auth.Principal.IsInRole(Roles.Administrator);
        var (data, code) = await results.GetAsync(roundId, administrator);
        if (data?.ByName(name) is not { } file)
        {
            return code switch
            {
                "round-not-found" => RoundNotFound(),
                ResultsErrorCodes.NotCertified => ApiProblems.Problem(StatusCodes.Status409Conflict, code, "The count is not certified yet."),
                _ => ApiProblems.Problem(StatusCodes.Status404NotFound, ResultsErrorCodes.NotPublished, "The results of this round are not published yet."),
            };
        }

        // Published files are public and fixed; a certified count before publication is for the administrator only.
        var published = data.View.IsPublished;
        return Download.Serve(new DownloadFile(file.Content, file.MediaType, data.View.PublishedAt ?? data.View.Certified!.CertifiedAt,
            name == "results" ? null : $"{roundId}-{name}", Public: published));
    }

    /// <summary>The round's calendar (public; changes whenever the round does, so it is validated against its ETag).</summary>
    private static async Task<IResult> CalendarAsync(string roundId, RoundService rounds, SiteSettings site) =>
        await rounds.GetAsync(roundId) is { } view
            ? Download.Serve(new DownloadFile(System.Text.Encoding.UTF8.GetBytes(RoundCalendar.Write(view.Snapshot, site.Url)),
                "text/calendar; charset=utf-8", view.Snapshot.UpdatedAt, null, Public: true), "public, max-age=60")
            : RoundNotFound();

    private static IResult RoundNotFound() => ApiProblems.Problem(StatusCodes.Status404NotFound, "round-not-found", "There is no such round.");
}
