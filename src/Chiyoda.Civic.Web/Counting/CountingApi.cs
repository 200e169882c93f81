using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Proposals;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Mvc;

namespace Chiyoda.Civic.Web.Counting;

public sealed record CloseRequest(string? Reason);

public sealed record AdoptionRequest(IReadOnlyList<int>? BallotNumbers, IReadOnlyList<string>? ProposalIds, string? Reason);

/// <summary>Administrators' steps after voting; each refusal is problem details with a stable code.</summary>
public static class CountingApi
{
    public static RouteGroupBuilder MapCountingApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("Counting").RequireAuthorization(CivicPolicies.ApiAdministrator);

        round.MapGet("/counting", async (string roundId, CountingService counting, RoundService rounds) =>
            await rounds.GetAsync(roundId) is null ? Refused(new(null, RoundErrorCodes.RoundNotFound)) : Results.Ok(await counting.GetAsync(roundId)));

        round.MapPost("/close", async (string roundId, CloseRequest? body, HttpContext http, CountingService counting) =>
            Answer(await counting.CloseAsync(roundId, body?.Reason, http.User.ToActor()), v => v.Close!));

        // A count and a certification read every stored ballot: they run apart from the request (CountingOperations),
        // which waits up to Counting:AnswerWithinSeconds for the answer and otherwise answers 202 with where to ask.
        round.MapPost("/count", (string roundId, HttpContext http, CountingOperations operations, RoundService rounds, IConfiguration config) =>
            StartAsync(roundId, CountingOperations.Count, http, operations, rounds, config));

        round.MapPost("/certify", (string roundId, HttpContext http, CountingOperations operations, RoundService rounds, IConfiguration config) =>
            StartAsync(roundId, CountingOperations.Certify, http, operations, rounds, config));

        round.MapGet("/counting/operations/{kind}", OperationAsync);

        round.MapPost("/adoption", async (string roundId, AdoptionRequest? body, HttpContext http, CountingService counting) =>
        {
            var numbers = body?.BallotNumbers?.ToList() ?? [];
            if (body?.ProposalIds is { Count: > 0 } ids)
            {
                var view = await counting.GetAsync(roundId);
                var proposals = view.Certified?.Table.Proposals ?? [];
                if (ids.Any(id => proposals.All(p => p.ProposalId != id)))
                {
                    return Refused(new(null, ResultsErrorCodes.InvalidAdoption, "Each adopted proposal must be on the ballot."));
                }

                numbers.AddRange(ids.Select(id => proposals.First(p => p.ProposalId == id).BallotNumber));
            }

            return Answer(await counting.SetAdoptionAsync(roundId, numbers, body?.Reason, http.User.ToActor()), v => v.Adoption!);
        });

        round.MapPost("/publish", async (string roundId, HttpContext http, CountingService counting) =>
            Answer(await counting.PublishAsync(roundId, http.User.ToActor()), v => v));

        // After certification: removes every voter↔ballot link (the stored ballots); the anonymised ballots stay.
        round.MapPost("/purge-ballots", async (string roundId, HttpContext http, CountingService counting) =>
            Answer(await counting.PurgeBallotsAsync(roundId, http.User.ToActor()), v => v.Purge!));

        return api;
    }

    /// <summary>How long a count or certification request waits for its answer before answering 202 (the default keeps it under Orleans' and proxies' 30 s).</summary>
    public const int DefaultAnswerWithinSeconds = 20;

    private static async Task<IResult> StartAsync(string roundId, string kind, HttpContext http, CountingOperations operations, RoundService rounds, IConfiguration config)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return Refused(new(null, RoundErrorCodes.RoundNotFound));
        }

        var operation = operations.Start(roundId, kind, http.User.ToActor());

        // "Prefer: respond-async" (RFC 7240): the client would rather poll than wait, so it is answered at once.
        var respondAsync = http.Request.Headers["Prefer"].Any(p => p?.Contains("respond-async", StringComparison.OrdinalIgnoreCase) == true);
        if (!respondAsync)
        {
            var wait = TimeSpan.FromSeconds(config.GetValue("Counting:AnswerWithinSeconds", DefaultAnswerWithinSeconds));
            await Task.WhenAny(operation.Answer, Task.Delay(wait, http.RequestAborted));
        }

        return operation.Answer.IsCompleted && !respondAsync ? await AnswerOf(operation) : Running(http, operation);
    }

    /// <summary>A count's or certification's progress (202 while it runs), then the same answer its request would have had.</summary>
    private static async Task<IResult> OperationAsync(string roundId, string kind, HttpContext http, CountingOperations operations)
    {
        if (kind is not (CountingOperations.Count or CountingOperations.Certify) || operations.Find(roundId, kind) is not { } operation)
        {
            // Operations live in the process that started them: behind another front end, or after a restart, ask for the step again.
            return Refused(new(null, OperationNotFound, $"No {kind} of round {roundId} is known here; POST it again (each step is idempotent)."));
        }

        return operation.Answer.IsCompleted ? await AnswerOf(operation) : Running(http, operation);
    }

    public const string OperationNotFound = "operation-not-found";

    /// <summary>Seconds a client is asked to wait before asking for a running operation again.</summary>
    public const int RetryAfterSeconds = 5;

    private static IResult Running(HttpContext http, CountingOperations.Operation operation)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Accepted($"/api/v1/rounds/{Uri.EscapeDataString(operation.RoundId)}/counting/operations/{operation.Kind}", operation.Status());
    }

    private static async Task<IResult> AnswerOf(CountingOperations.Operation operation)
    {
        var answer = await operation.Answer;
        return operation.Kind == CountingOperations.Count
            ? answer.Result is { } refused ? Refused(refused) : Results.Ok(answer.Report)
            : Answer(answer.Result!, v => v);
    }

    private static IResult Answer<T>(ResultsCommandResult result, Func<ResultsView, T> select) =>
        result.Succeeded ? Results.Ok(select(result.View!)) : Refused(result);

    private static IResult Refused(ResultsCommandResult result)
    {
        var code = result.Code!;
        var status = code switch
        {
            RoundErrorCodes.RoundNotFound or OperationNotFound => StatusCodes.Status404NotFound,
            ResultsErrorCodes.InvalidReason or ResultsErrorCodes.InvalidAdoption => StatusCodes.Status400BadRequest,
            RoundErrorCodes.InvalidRound => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status409Conflict,
        };
        var problem = new ProblemDetails
        {
            Status = status,
            Title = Titles.GetValueOrDefault(code, "The step was refused."),
            Detail = result.Detail,
            Type = $"urn:chiyoda-civic:problem:{code}",
        };
        problem.Extensions["code"] = code;
        if (code == ResultsErrorCodes.CountMismatch && result.View?.LastCount is { } count)
        {
            // Administrators see where the recount and the live tally differ.
            problem.Extensions["differences"] = count.Differences;
            problem.Extensions["countId"] = count.CountId;
        }

        return TypedResults.Problem(problem);
    }

    private static readonly Dictionary<string, string> Titles = new()
    {
        [RoundErrorCodes.RoundNotFound] = "There is no such round.",
        [ResultsErrorCodes.NotClosed] = "Voting has not closed yet.",
        [ResultsErrorCodes.CountMismatch] = "The recount differs from the live tally; the count cannot be certified.",
        [ResultsErrorCodes.NotCertified] = "The count is not certified yet.",
        [ResultsErrorCodes.AlreadyPublished] = "The results are already published.",
        [ResultsErrorCodes.AdoptionTied] = "Proposals are tied at the adoption cut-off; an administrator must decide.",
        [ResultsErrorCodes.InvalidAdoption] = "The adopted proposals are not valid.",
        [ResultsErrorCodes.InvalidReason] = "A reason is required.",
        [ResultsErrorCodes.PaperCommitting] = "Paper batches are still being committed.",
        [ResultsErrorCodes.NoShortlist] = "The round has no shortlist.",
        [ResultsErrorCodes.BallotsPurged] = "The stored ballots were purged; the certified count stands.",
        ["voting-not-open"] = "Voting has not opened yet.",
        [OperationNotFound] = "No such count or certification is known here.",
    };
}
