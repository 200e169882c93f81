using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;

namespace Chiyoda.Civic.Web.Ballots;

public sealed record BallotRequest(IReadOnlyList<int>? Choices);

public sealed record BallotResponse(string RoundId, BallotReceipt? Ballot, bool SupersededByPaper);

public static class BallotsApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapBallotsApi(this RouteGroupBuilder api)
    {
        var ballot = api.MapGroup("/rounds/{roundId}/ballot").WithTags("Ballots").RequireAuthorization(CivicPolicies.ApiSignedIn);

        ballot.MapGet("/", async (string roundId, HttpContext context, BallotService ballots) =>
            Voter.From(context.User) is { VoterKey: not null } voter && await ballots.GetAsync(roundId, voter) is { } view
                ? Results.Ok(new BallotResponse(roundId, view.Counted, view.SupersededByPaper))
                : ApiProblems.Problem(StatusCodes.Status403Forbidden, BallotErrorCodes.NotOnRegister, "You are not on this round's voter register."));

        ballot.MapPut("/", async (string roundId, HttpContext context, BallotService ballots) =>
        {
            var idempotencyKey = context.Request.Headers[IdempotencyHeader].ToString();
            if (idempotencyKey.Length is 0 or > 100)
            {
                return ApiProblems.Problem(StatusCodes.Status400BadRequest, BallotErrorCodes.MissingIdempotencyKey,
                    $"Send an {IdempotencyHeader} header (1 to 100 characters) with every ballot, and the same one when you retry.");
            }

            var (body, problem) = await ApiRequests.ReadJsonAsync<BallotRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            var voter = Voter.From(context.User)!;
            BallotResult result;
            try
            {
                result = await ballots.CastAsync(roundId, voter, idempotencyKey, body!.Choices ?? []);
            }
            catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                // Storage did not confirm the ballot (outage, timeout, a silo lost): no receipt, and the
                // caller retries with the same key, which can never count the ballot twice.
                context.RequestServices.GetRequiredService<ILogger<BallotService>>().LogWarning(e, "Ballot for round {RoundId} not confirmed by storage", roundId);
                context.Response.Headers.RetryAfter = NotStoredRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, BallotErrorCodes.NotStored,
                    $"Your ballot could not be recorded just now and has not been counted. Send it again with the same {IdempotencyHeader} in a few seconds.");
            }

            if (result.Receipt is { } receipt)
            {
                return Results.Ok(receipt);
            }

            if (result.RetryAfterSeconds is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Refusal(result);
        });

        return api;
    }

    /// <summary>Long enough for a storage hiccup or a silo failover to pass, short enough for a voter waiting on the page.</summary>
    public const int NotStoredRetryAfterSeconds = 3;

    private static IResult Refusal(BallotResult result)
    {
        var (status, title) = result.Code switch
        {
            BallotErrorCodes.NotOnRegister => (403, "You are not on this round's voter register."),
            BallotErrorCodes.UnderAge => (403, "You are not yet old enough to vote in this round."),
            BallotErrorCodes.WindowNotOpen => (409, "Voting has not opened yet."),
            BallotErrorCodes.WindowClosed => (409, "Voting has closed."),
            BallotErrorCodes.SupersededByPaper => (409, "Your paper ballot counts; the online ballot can no longer change."),
            BallotErrorCodes.IdempotencyKeyReused => (422, "This Idempotency-Key was already used for a different ballot."),
            BallotErrorCodes.RateLimited => (429, "Too many changes; wait a moment."),
            BallotErrorCodes.RoundNotFound => (404, "There is no such round."),
            _ => (400, "The ballot is not valid."),
        };
        if (result.EligibleFrom is not { } eligibleFrom)
        {
            return ApiProblems.Problem(status, result.Code!, title);
        }

        var from = eligibleFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return ApiProblems.Problem(status, result.Code!, title, $"You may vote from {from}.",
            extensions: new Dictionary<string, object?> { ["eligibleFrom"] = from });
    }
}
