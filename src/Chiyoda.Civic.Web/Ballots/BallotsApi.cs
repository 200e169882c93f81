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
        Caller caller, HttpContext context, BallotService ballots, ILogger<BallotService> logger)
    {
        BallotResult result;
        try
        {
            result = await ballots.CastAsync(roundId, caller.Voter!, idempotencyKey.Value, body.Value.Choices ?? []);
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

        return Refusal(result);
    }

    private static ProblemHttpResult Refusal(BallotResult result)
    {
        var title = result.Code switch
        {
            BallotErrorCodes.RateLimited => "Too many changes; wait a moment.",
            _ => ApiErrors.Find(result.Code!)?.Title ?? "The ballot is not valid.",
        };
        if (result.EligibleFrom is not { } eligibleFrom)
        {
            return ApiErrors.Problem(result.Code!, title);
        }

        var from = eligibleFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return ApiErrors.Problem(result.Code!, title, $"You may vote from {from}.",
            extensions: new Dictionary<string, object?> { ["eligibleFrom"] = from });
    }
}
