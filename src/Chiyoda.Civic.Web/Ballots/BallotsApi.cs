using System.Globalization;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Ballots;

public sealed record BallotRequest(IReadOnlyList<int>? Choices);

public sealed record BallotResponse(string RoundId, BallotReceipt? Ballot, bool SupersededByPaper);

/// <summary>/api/v1/rounds/{roundId}/ballot: the signed-in voter's own online ballot.</summary>
public static class BallotsApi
{
    public const string IdempotencyHeader = IdempotencyKey.Header;

    /// <summary>Long enough for a storage hiccup or a silo failover to pass, short enough for a voter waiting on the page.</summary>
    public const int NotStoredRetryAfterSeconds = 3;

    public static RouteGroupBuilder MapBallotsApi(this RouteGroupBuilder api)
    {
        var ballot = api.MapGroup("/rounds/{roundId}/ballot").WithTags("Ballots").RequireAuthorization(CivicPolicies.ApiSignedIn);
        ballot.MapGet("/", GetBallot).WithSummary("Get your counted ballot")
            .ProducesErrors(ApiErrors.NotOnRegister);
        ballot.MapPut("/", CastBallot).WithSummary("Cast or change your online ballot")
            .ProducesErrors(ApiErrors.NoChoice, ApiErrors.TooManyChoices, ApiErrors.DuplicateChoice, ApiErrors.UnknownProposal,
                ApiErrors.NotOnRegister, ApiErrors.UnderAge, ApiErrors.RoundNotFound, ApiErrors.WindowNotOpen, ApiErrors.WindowClosed,
                ApiErrors.SupersededByPaper, ApiErrors.IdempotencyKeyReused, ApiErrors.RateLimited, ApiErrors.BallotNotStored);
        return api;
    }

    public static async Task<Results<Ok<BallotResponse>, ProblemHttpResult>> GetBallot(string roundId, Caller caller, BallotService ballots) =>
        caller.Voter is { VoterKey: not null } voter && await ballots.GetAsync(roundId, voter) is { } view
            ? TypedResults.Ok(new BallotResponse(roundId, view.Counted, view.SupersededByPaper))
            : ApiErrors.Problem(ApiErrors.NotOnRegister);

    public static async Task<Results<Ok<BallotReceipt>, ProblemHttpResult>> CastBallot(string roundId, IdempotencyKey idempotencyKey, JsonBody<BallotRequest> body,
        Caller caller, HttpContext context, BallotService ballots, Rounds.RoundService rounds, ILogger<BallotService> logger)
    {
        BallotResult result;
        var choices = body.Value.Choices ?? [];
        try
        {
            result = await ballots.CastAsync(roundId, caller.Voter!, idempotencyKey.Value, choices);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // Storage did not confirm the ballot (outage, timeout, a silo lost): no receipt, and the
            // caller retries with the same key, which can never count the ballot twice.
            logger.LogWarning(e, "Ballot for round {RoundId} not confirmed by storage", roundId);
            context.Response.Headers.RetryAfter = NotStoredRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return ApiErrors.Problem(ApiErrors.BallotNotStored,
                $"Send it again with the same {IdempotencyHeader} in a few seconds.");
        }

        if (result.Receipt is { } receipt)
        {
            return TypedResults.Ok(receipt);
        }

        if (result.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        return Refusal(result, await ChoiceDetailAsync(result.Code, choices, roundId, rounds));
    }

    /// <summary>
    /// Which of the caller's own choices the refusal is about, in words (the ballot is the caller's: nothing here is logged).
    /// Only a refusal about the choices reads the shortlist again, to name the numbers the ballot has.
    /// </summary>
    private static async Task<string?> ChoiceDetailAsync(string? code, IReadOnlyList<int> choices, string roundId, Rounds.RoundService rounds)
    {
        switch (code)
        {
            case BallotErrorCodes.UnknownProposal:
                var shortlist = await rounds.GetShortlistAsync(roundId);
                var numbers = shortlist?.Entries.Select(e => e.BallotNumber).Order().ToList() ?? [];
                var unknown = choices.Where(c => !numbers.Contains(c)).Distinct().ToList();
                var which = unknown.Count == 1
                    ? $"{Number(unknown[0])} is not a proposal on this round's ballot"
                    : $"{string.Join(", ", unknown.Select(Number))} are not proposals on this round's ballot";
                return numbers.Count == 0
                    ? $"{which}: the round has no ballot yet."
                    : $"{which}: choose ballot numbers from {Number(numbers[0])} to {Number(numbers[^1])}.";
            case BallotErrorCodes.DuplicateChoice:
                var twice = choices.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => Number(g.Key)).ToList();
                return twice.Count == 1
                    ? $"Each proposal may be chosen once: {twice[0]} is chosen more than once."
                    : $"Each proposal may be chosen once: {string.Join(", ", twice)} are each chosen more than once.";
            default:
                return null;
        }
    }

    private static string Number(int ballotNumber) => ballotNumber.ToString(CultureInfo.InvariantCulture);

    private static ProblemHttpResult Refusal(BallotResult result, string? detail)
    {
        var title = result.Code switch
        {
            BallotErrorCodes.RateLimited => "Too many changes; wait a moment.",
            _ => ApiErrors.Find(result.Code!)?.Title ?? "The ballot is not valid.",
        };
        if (result.EligibleFrom is not { } eligibleFrom)
        {
            return ApiErrors.Problem(result.Code!, title, detail,
                errors: detail is null ? null : [new Abstractions.Common.ValidationError("choices", result.Code!, detail)]);
        }

        var from = eligibleFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return ApiErrors.Problem(result.Code!, title, $"You may vote from {from}.",
            extensions: new Dictionary<string, object?> { ["eligibleFrom"] = from });
    }
}
