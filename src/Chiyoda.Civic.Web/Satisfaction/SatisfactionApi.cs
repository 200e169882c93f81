using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Ballots;
using Chiyoda.Civic.Web.Hosting;

namespace Chiyoda.Civic.Web.Satisfaction;

public sealed record RatingRequest(int? Rating, string? Comment, string? Source);

/// <summary>
/// 「満足度」: a signed-in person rates a round once (after voting, or on the published results); anyone reads the aggregate
/// once the results are published; administrators read the comments. Refusals are problem details with a code.
/// </summary>
public static class SatisfactionApi
{
    public const string SourceAfterVoting = "after-voting";
    public const string SourceResults = "results";

    public static RouteGroupBuilder MapSatisfactionApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/rounds/{roundId}/satisfaction").WithTags("Satisfaction");
        group.MapGet("/", Summary).AllowAnonymous();
        group.MapPost("/", Rate).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);
        group.MapGet("/mine", Mine).RequireAuthorization(CivicPolicies.ApiSignedIn);
        group.MapGet("/comments", Comments).RequireAuthorization(CivicPolicies.ApiAdministrator);
        return api;
    }

    public static SatisfactionSource? SourceOf(string? source) => source switch
    {
        SourceAfterVoting => SatisfactionSource.AfterVoting,
        SourceResults => SatisfactionSource.Results,
        _ => null,
    };

    public static string NameOf(SatisfactionSource source) => source == SatisfactionSource.Results ? SourceResults : SourceAfterVoting;

    /// <summary>The round's aggregate: count, distribution (cells under 10 hidden), mean and share satisfied (4 or 5).</summary>
    public static async Task<IResult> Summary(string roundId, SatisfactionService service, HttpContext http)
    {
        if (await service.PublishedSummaryAsync(roundId) is not { } summary)
        {
            return ApiProblems.Problem(StatusCodes.Status404NotFound, SatisfactionErrorCodes.NotPublished,
                "The satisfaction of a round is shown once its results are published (or there is no such round).");
        }

        http.Response.Headers.CacheControl = "no-cache";
        return Results.Ok(new
        {
            roundId,
            scale = SatisfactionRules.Scale,
            count = summary.Count,
            distribution = summary.Distribution.Select((n, i) => new { rating = i + 1, count = n, suppressed = n is null }),
            mean = summary.Mean,
            satisfiedPercent = summary.SatisfiedShare,
            afterVoting = summary.AfterVoting,
            fromResultsPage = summary.Results,
            minimumCell = SatisfactionRules.MinimumCell,
        });
    }

    /// <summary>Whether the caller may still rate from a source (<c>after-voting</c> or <c>results</c>).</summary>
    public static async Task<IResult> Mine(string roundId, string? source, HttpContext http, SatisfactionService service)
    {
        if (SourceOf(source ?? SourceAfterVoting) is not { } from)
        {
            return InvalidSource();
        }

        var (state, code) = await service.StateAsync(roundId, Voter.From(http.User)!, from);
        return code == "round-not-found"
            ? ApiProblems.Problem(StatusCodes.Status404NotFound, "round-not-found", "There is no such round.")
            : Results.Ok(new { state = state switch { RatingState.Open => "open", RatingState.AlreadyRated => "already-rated", _ => "closed" }, code });
    }

    public static async Task<IResult> Rate(string roundId, HttpRequest request, SatisfactionService service)
    {
        var (body, malformed) = await ApiRequests.ReadJsonAsync<RatingRequest>(request);
        if (malformed is not null)
        {
            return malformed;
        }

        if (SourceOf(body!.Source) is not { } source)
        {
            return InvalidSource();
        }

        var result = await service.RateAsync(roundId, Voter.From(request.HttpContext.User)!, source, body.Rating ?? 0, body.Comment);
        return result.Succeeded
            ? Results.Ok(new { counted = true })
            : ApiProblems.Problem(StatusOf(result.Code!), result.Code!, result.Errors[0].Message, errors: result.Errors);
    }

    /// <summary>Administrators, once the results are published: the comments (rating, day, source; never who).</summary>
    public static async Task<IResult> Comments(string roundId, SatisfactionService service, Rounds.KnownRounds rounds)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return ApiProblems.Problem(StatusCodes.Status404NotFound, "round-not-found", "There is no such round.");
        }

        // Not even administrators read answers while the vote is open (a comment's day beside a voter's would narrow
        // down who wrote it); afterwards in a neutral order (by rating, then text), never the order they came in.
        if (await service.PublishedSummaryAsync(roundId) is null)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, SatisfactionErrorCodes.NotPublished, "The results of this round are not published yet.");
        }

        var tally = await service.TallyAsync(roundId);
        return Results.Ok(new
        {
            count = tally.Count,
            comments = tally.Comments.OrderBy(c => c.Rating).ThenBy(c => c.Text, StringComparer.Ordinal)
                .Select(c => new { rating = c.Rating, text = c.Text, day = c.Day, source = NameOf(c.Source) }),
        });
    }

    public static int StatusOf(string code) => code switch
    {
        "round-not-found" => StatusCodes.Status404NotFound,
        SatisfactionErrorCodes.AlreadyRated or SatisfactionErrorCodes.NotPublished => StatusCodes.Status409Conflict,
        SatisfactionErrorCodes.NoBallot => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    private static IResult InvalidSource() =>
        ApiProblems.Problem(StatusCodes.Status400BadRequest, SatisfactionErrorCodes.InvalidSource,
            $"The source is \"{SourceAfterVoting}\" (the ballot page) or \"{SourceResults}\" (the results page).",
            errors: [new("source", SatisfactionErrorCodes.InvalidSource, $"The source is \"{SourceAfterVoting}\" or \"{SourceResults}\".")]);
}
