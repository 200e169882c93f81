using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Hosting;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Satisfaction;

/// <summary>Body of POST /api/v1/rounds/{roundId}/satisfaction: a rating 1..5, an optional comment, and where it was given.</summary>
public sealed record RatingRequest(int? Rating, string? Comment = null, string? Source = null);

/// <summary>One rating's count in a published total.</summary>
public sealed record SatisfactionCell(int Rating, int Count);

/// <summary>
/// A round's published 「満足度」: one total of every answer (after voting and on the results page, voters and non-voters merged),
/// published whole (<c>published: true</c>: count, the five cells, mean, share satisfied) only from <c>minimumAnswers</c> answers;
/// below that, nothing but <c>published: false</c>. The figures move only in steps of <c>minimumAnswers</c> answers.
/// </summary>
public sealed record SatisfactionResponse(
    string RoundId, int Scale, bool Published, int? Count, IReadOnlyList<SatisfactionCell>? Distribution, decimal? Mean, decimal? SatisfiedPercent,
    int MinimumAnswers);

/// <summary>Whether the caller may answer from a source now: <c>open</c>, <c>already-rated</c> or <c>closed</c> (with the code why).</summary>
public sealed record MySatisfaction(
    string State,
    [property: System.ComponentModel.Description(SatisfactionApi.WhoMayAnswer)]
    string? Code);

/// <summary>A counted answer: <c>countedAs</c> is <c>voter</c> (a counted ballot of theirs) or <c>non-voter</c> (counted apart).</summary>
public sealed record RatingAccepted(bool Counted, string CountedAs);

public sealed record SatisfactionCommentResponse(int Rating, string Text, DateOnly Day, string Source);

public sealed record SatisfactionComments(int Count, IReadOnlyList<SatisfactionCommentResponse> Comments);

/// <summary>
/// 「満足度」: a signed-in person on the round's register rates it once (after voting with a counted ballot, or on the published results page);
/// anyone reads the published aggregate once the results are published; administrators read the comments. Named handlers,
/// bound request records and typed results; refusals come from the one catalogue (<see cref="ApiErrors"/>).
/// </summary>
public static class SatisfactionApi
{
    public const string SourceAfterVoting = "after-voting";
    public const string SourceResults = "results";

    /// <summary>The one order of the checks, and so the one code for one situation, in the check (<c>…/mine</c>) and the answer alike.</summary>
    public const string WhoMayAnswer = "Why not, the same code the answer (POST) is refused with, checked in this order whichever the source: "
        + "`not-on-register` (not on the round's voter register), `under-age` (not of voting age by its last day of voting), then for "
        + "`after-voting` `no-ballot` (no counted ballot of the caller's), for `results` `satisfaction-not-open` (results not published), "
        + "and `already-rated` (answered once already, from either page).";

    public static RouteGroupBuilder MapSatisfactionApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/rounds/{roundId}/satisfaction").WithTags("Satisfaction");
        group.MapGet("/", GetSatisfactionSummary).AllowAnonymous().WithSummary("The round's published satisfaction (once its results are published)")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.ResultsNotPublished);
        group.MapPost("/", RateSatisfaction).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Answer 「満足度」 once for the round (people on its register)")
            .WithDescription(WhoMayAnswer.Replace("Why not, the same code the answer (POST) is refused with", "Refusals, the same codes `GET …/satisfaction/mine` gives as `code`", StringComparison.Ordinal))
            .ProducesErrors(ApiErrors.InvalidRating, ApiErrors.InvalidComment, ApiErrors.CommentContactDetails, ApiErrors.InvalidSource, ApiErrors.RoundNotFound,
                ApiErrors.AlreadyRated, ApiErrors.NoBallot, ApiErrors.NotOnRegister, ApiErrors.UnderAge, ApiErrors.SatisfactionNotOpen);
        group.MapGet("/mine", GetMySatisfactionAnswer).RequireAuthorization(CivicPolicies.ApiSignedIn).WithSummary("Whether the caller may still answer from a source")
            .WithDescription("`state` is `open`, `already-rated` or `closed`; `code` says why. " + WhoMayAnswer)
            .ProducesErrors(ApiErrors.InvalidSource, ApiErrors.RoundNotFound);
        group.MapGet("/comments", ListSatisfactionComments).RequireAuthorization(CivicPolicies.ApiAdministrator).WithSummary("The comments (administrators, after publication)")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.SatisfactionNotOpen);
        return api;
    }

    public static SatisfactionSource? SourceOf(string? source) => source switch
    {
        SourceAfterVoting => SatisfactionSource.AfterVoting,
        SourceResults => SatisfactionSource.Results,
        _ => null,
    };

    public static string NameOf(SatisfactionSource source) => source == SatisfactionSource.Results ? SourceResults : SourceAfterVoting;

    public static IReadOnlyList<SatisfactionCell>? Cells(IReadOnlyList<int>? distribution) =>
        distribution is null ? null : [.. distribution.Select((n, i) => new SatisfactionCell(i + 1, n))];

    /// <summary>The round's published aggregate: one total, whole (count, cells, mean, share) from the minimum number of answers, else nothing.</summary>
    public static async Task<Results<Ok<SatisfactionResponse>, ProblemHttpResult>> GetSatisfactionSummary(string roundId, SatisfactionService service, KnownRounds rounds, HttpContext http)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return ApiErrors.Problem(ApiErrors.RoundNotFound);
        }

        if (await service.PublishedSummaryAsync(roundId) is not { } s)
        {
            return ApiErrors.Problem(ApiErrors.ResultsNotPublished, "The satisfaction of a round is shown once its results are published.");
        }

        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Ok(new SatisfactionResponse(roundId, SatisfactionRules.Scale, s.Published, s.Count, Cells(s.Distribution), s.Mean, s.SatisfiedShare,
            s.MinimumAnswers));
    }

    /// <summary>Whether the caller may still rate from a source (<c>after-voting</c>, the default, or <c>results</c>): the same check as the answer.</summary>
    public static async Task<Results<Ok<MySatisfaction>, ProblemHttpResult>> GetMySatisfactionAnswer(string roundId, string? source, Caller caller, SatisfactionService service)
    {
        if (SourceOf(source ?? SourceAfterVoting) is not { } from)
        {
            return InvalidSource();
        }

        var (state, code) = await service.StateAsync(roundId, caller.Voter!, from);
        return code == ApiErrors.RoundNotFound.Code
            ? ApiErrors.Problem(ApiErrors.RoundNotFound)
            : TypedResults.Ok(new MySatisfaction(state switch { RatingState.Open => "open", RatingState.AlreadyRated => "already-rated", _ => "closed" }, code));
    }

    public static async Task<Results<Ok<RatingAccepted>, ProblemHttpResult>> RateSatisfaction(string roundId, JsonBody<RatingRequest> json, Caller caller, SatisfactionService service)
    {
        var body = json.Value;
        if (SourceOf(body.Source) is not { } source)
        {
            return InvalidSource();
        }

        var result = await service.RateAsync(roundId, caller.Voter!, source, body.Rating ?? 0, body.Comment);
        return result.Succeeded
            ? TypedResults.Ok(new RatingAccepted(true, result.Value!.AsVoter ? "voter" : "non-voter"))
            : ApiErrors.Problem(result);
    }

    /// <summary>Administrators, once the results are published: the comments (rating, day, source; never who), by rating then text.</summary>
    public static async Task<Results<Ok<SatisfactionComments>, ProblemHttpResult>> ListSatisfactionComments(string roundId, SatisfactionService service, KnownRounds rounds)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return ApiErrors.Problem(ApiErrors.RoundNotFound);
        }

        // Not even administrators read answers while the vote is open (a comment's day beside a voter's would narrow
        // down who wrote it); afterwards in a neutral order (by rating, then text), never the order they came in.
        if (!await service.IsPublishedAsync(roundId))
        {
            return ApiErrors.Problem(ApiErrors.SatisfactionNotOpen, "The comments are read once the results of this round are published.");
        }

        var tally = await service.TallyAsync(roundId);
        return TypedResults.Ok(new SatisfactionComments(tally.Total,
            [.. tally.Comments.OrderBy(c => c.Rating).ThenBy(c => c.Text, StringComparer.Ordinal)
                .Select(c => new SatisfactionCommentResponse(c.Rating, c.Text, c.Day, NameOf(c.Source)))]));
    }

    private static ProblemHttpResult InvalidSource() =>
        ApiErrors.Problem(ApiErrors.InvalidSource, $"The source is \"{SourceAfterVoting}\" (the ballot page) or \"{SourceResults}\" (the results page).",
            errors: [new ValidationError("source", SatisfactionErrorCodes.InvalidSource, $"The source is \"{SourceAfterVoting}\" or \"{SourceResults}\".")]);
}
