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
        round.MapGet("/results", GetResults).AllowAnonymous().WithSummary("Get the published results (administrators: a certified count before publication)")
            .Downloads("application/json", typeof(OpenData.ResultsDocument)).ProducesErrors(FileRefusals);
        round.MapGet("/results.csv", GetResultsCsv).AllowAnonymous().WithSummary("Download the published results (CSV, UTF-8 with BOM)")
            .Downloads("text/csv", description: "RFC 4180, UTF-8 with BOM, CRLF; header item,ballot_number,proposal_id,title,title_en,count,rank,adopted,tied.")
            .ProducesErrors(FileRefusals);
        round.MapGet("/ballots.csv", GetBallotsCsv).AllowAnonymous().WithSummary("Download the anonymised counted ballots (CSV, UTF-8 with BOM; only rounds of OpenData:MinimumBallotsForBallotFile ballots, default 100)")
            .Downloads("text/csv", description: "RFC 4180, UTF-8 with BOM, CRLF; header ballot_id,channel,choices (ballot numbers joined by ';').")
            .ProducesErrors([.. FileRefusals, ApiErrors.BallotFileWithheld]);
        round.MapGet("/ballots.pb", GetBallotsPabulib).AllowAnonymous().WithSummary("Download the anonymised counted ballots (PABULIB; only rounds of OpenData:MinimumBallotsForBallotFile ballots, default 100)")
            .Downloads("text/plain", description: "PABULIB (pabulib.org): META, PROJECTS and VOTES sections, approval ballots; UTF-8 without BOM.")
            .ProducesErrors([.. FileRefusals, ApiErrors.BallotFileWithheld]);
        // The calendar's links and ids are made from Site:Url, never from the request's Host header.
        round.MapGet("/calendar.ics", GetCalendar).AllowAnonymous().WithSummary("Download the round's calendar (iCalendar)")
            .Downloads("text/calendar", description: "iCalendar (RFC 5545): the round's phases as events.").ProducesErrors(ApiErrors.RoundNotFound);
        return api;
    }

    private static readonly ApiError[] FileRefusals = [ApiErrors.RoundNotFound, ApiErrors.ResultsNotPublished, ApiErrors.NotCertified];

    public static Task<IResult> GetResults(string roundId, HttpContext http, ResultsService results) => FileAsync(roundId, "results", http, results);

    public static Task<IResult> GetResultsCsv(string roundId, HttpContext http, ResultsService results) => FileAsync(roundId, "results.csv", http, results);

    public static Task<IResult> GetBallotsCsv(string roundId, HttpContext http, ResultsService results) => FileAsync(roundId, "ballots.csv", http, results);

    public static Task<IResult> GetBallotsPabulib(string roundId, HttpContext http, ResultsService results) => FileAsync(roundId, "ballots.pb", http, results);

    public static Task<IResult> GetCalendar(string roundId, RoundService rounds, SiteSettings site) => CalendarAsync(roundId, rounds, site);

    private static async Task<IResult> FileAsync(string roundId, string name, HttpContext http, ResultsService results)
    {
        // Optional bearer: administrators may read a certified count before it is published.
        var auth = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        var administrator = auth.Succeeded && auth.Principal.IsInRole(Roles.Administrator);
        var (data, code) = await results.GetAsync(roundId, administrator);
        if (data is { BallotFilesWithheld: true } && OpenDataSet.IsBallotFile(name))
        {
            return ApiErrors.Problem(ApiErrors.BallotFileWithheld,
                $"This round counted {data.Ballots.Count} ballots, fewer than {data.MinimumBallots}: its anonymised ballots are not published, so no voter can be "
                + $"picked out of a small round. results.csv and the results JSON (/api/v1/rounds/{roundId}/results) hold every total.");
        }

        if (data?.ByName(name) is not { } file)
        {
            return code switch
            {
                "round-not-found" => RoundNotFound(),
                ResultsErrorCodes.NotCertified => ApiErrors.Problem(ApiErrors.NotCertified),
                _ => ApiErrors.Problem(ApiErrors.ResultsNotPublished),
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
                "text/calendar; charset=utf-8", Later(view.Snapshot.UpdatedAt, view.Snapshot.PublishedAt), null, Public: true), "public, max-age=60")
            : RoundNotFound();

    /// <summary>The calendar last changed with the round or, later, with the publication (which moves its results event).</summary>
    private static DateTimeOffset Later(DateTimeOffset updatedAt, DateTimeOffset? publishedAt) =>
        publishedAt is { } published && published > updatedAt ? published : updatedAt;

    private static IResult RoundNotFound() => ApiErrors.Problem(ApiErrors.RoundNotFound);
}
