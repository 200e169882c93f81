using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Counting;

public sealed record CloseRequest(string? Reason);

public sealed record AdoptionRequest(IReadOnlyList<int>? BallotNumbers, IReadOnlyList<string>? ProposalIds, string? Reason);

/// <summary>Administrators' steps after voting; each refusal is problem details with a stable code.</summary>
public static class CountingApi
{
    /// <summary>How long a count or certification request waits for its answer before answering 202 (the default keeps it under Orleans' and proxies' 30 s).</summary>
    public const int DefaultAnswerWithinSeconds = 20;

    /// <summary>Seconds a client is asked to wait before asking for a running operation again.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// What a count can be refused for (its request and its status alike): CountingService.CountAsync, and a storage or
    /// cluster failure while it reads every ballot (503 with Retry-After: the step is idempotent, ask again).
    /// </summary>
    private static readonly ApiError[] CountRefusals =
        [ApiErrors.RoundNotFound, ApiErrors.NotClosed, ApiErrors.NoShortlist, ApiErrors.BallotsPurged, ApiErrors.TemporarilyUnavailable];

    /// <summary>What a certification can be refused for besides a count's: CountingService.CertifyAsync and the results grain.</summary>
    private static readonly ApiError[] CertifyRefusals = [ApiErrors.CountMismatch, ApiErrors.PaperCommitting];

    public static RouteGroupBuilder MapCountingApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("Counting").RequireAuthorization(CivicPolicies.ApiAdministrator);
        round.MapGet("/counting", GetCountingState).WithSummary("Get the round's close, last count, certification, adoption and publication")
            .ProducesErrors(ApiErrors.RoundNotFound);
        round.MapPost("/close", CloseVoting).WithSummary("Close voting now, with a reason")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidReason, ApiErrors.VotingNotOpen, ApiErrors.VotingClosed, ApiErrors.InvalidRound);

        // A count and a certification read every stored ballot: they run apart from the request (CountingOperations),
        // which waits up to Counting:AnswerWithinSeconds for the answer and otherwise answers 202 with where to ask.
        // The count answers its report (CountReport), the certification the round's results (ResultsView); the status of
        // either answers what its request would have (one of the two, by kind). 202 carries Location and Retry-After.
        round.MapPost("/count", CountBallots).WithSummary("Count every stored ballot and compare with the live tally (after the close); 202 and a status location if it takes longer")
            .AnswersLater().ProducesErrors(CountRefusals);
        round.MapPost("/certify", CertifyCount).WithSummary("Count again and certify when the count matches the live tally; 202 and a status location if it takes longer")
            .AnswersLater().ProducesErrors([.. CountRefusals, .. CertifyRefusals]);
        round.MapGet("/counting/operations/{kind}", GetCountingOperation).WithSummary("A running count's or certification's stage (202), then the answer its request would have had")
            .AnswersLater().ProducesOneOf(StatusCodes.Status200OK, typeof(CountReport), typeof(ResultsView))
            .ProducesErrors([ApiErrors.OperationNotFound, .. CountRefusals, .. CertifyRefusals]);

        round.MapPost("/adoption", DecideAdoption).WithSummary("Decide the adopted proposals (a tie at the cut-off, or the ward's decision against the ranking), with a public reason")
            .WithDescription("Settles a tie at the cut-off, which publication waits for. The ward may also adopt other proposals than the ranking's (for example one it cannot carry out is declined): any set of proposals on the ballot is accepted, the answer says `overridden: true`, the results page and the results JSON show the public reason beside the ranking, and the decision is in the audit log (`results.adoption-overridden`). Refused once the results are published.")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidAdoption, ApiErrors.InvalidReason, ApiErrors.NotCertified, ApiErrors.AlreadyPublished);
        round.MapPost("/publish", PublishResults).WithSummary("Publish the certified results and open data")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.NotCertified, ApiErrors.AdoptionTied);
        // After certification: removes every voter↔ballot link (the stored ballots); the anonymised ballots stay.
        round.MapPost("/purge-ballots", PurgeBallots).WithSummary("Remove every voter-ballot link of a certified round")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.NotCertified);
        return api;
    }

    public static async Task<Results<Ok<ResultsView>, ProblemHttpResult>> GetCountingState(string roundId, CountingService counting, RoundService rounds) =>
        await rounds.GetAsync(roundId) is null ? Refused(CommandResultDetail.RefusedWith<ResultsView>(null, RoundErrorCodes.RoundNotFound)) : TypedResults.Ok(await counting.GetAsync(roundId));

    public static async Task<Results<Ok<CloseRecord>, ProblemHttpResult>> CloseVoting(string roundId, JsonBody<CloseRequest> json, Caller caller, CountingService counting) =>
        Answer(await counting.CloseAsync(roundId, json.Value.Reason, caller.Actor), v => v.Close!);

    /// <summary>The count's report (200), or 202 with where to ask while it runs.</summary>
    public static async Task<Results<Ok<CountReport>, Accepted<CountingOperationStatus>, ProblemHttpResult>> CountBallots(
        string roundId, Caller caller, HttpContext http, CountingOperations operations, RoundService rounds, IConfiguration config) =>
        await StartAsync(roundId, CountingOperations.Count, caller, http, operations, rounds, config) switch
        {
            { Result: Ok<CountReport> report } => report,
            { Result: Accepted<CountingOperationStatus> running } => running,
            { Result: ProblemHttpResult problem } => problem,
            var other => throw new InvalidOperationException($"A count answered {other.Result.GetType().Name}."),
        };

    /// <summary>The certified results (200), or 202 with where to ask while the certification runs.</summary>
    public static async Task<Results<Ok<ResultsView>, Accepted<CountingOperationStatus>, ProblemHttpResult>> CertifyCount(
        string roundId, Caller caller, HttpContext http, CountingOperations operations, RoundService rounds, IConfiguration config) =>
        await StartAsync(roundId, CountingOperations.Certify, caller, http, operations, rounds, config) switch
        {
            { Result: Ok<ResultsView> results } => results,
            { Result: Accepted<CountingOperationStatus> running } => running,
            { Result: ProblemHttpResult problem } => problem,
            var other => throw new InvalidOperationException($"A certification answered {other.Result.GetType().Name}."),
        };

    /// <summary>A count's or certification's progress (202 while it runs), then the same answer its request would have had.</summary>
    public static async Task<Results<Ok<CountReport>, Ok<ResultsView>, Accepted<CountingOperationStatus>, ProblemHttpResult>> GetCountingOperation(
        string roundId, string kind, HttpContext http, CountingOperations operations)
    {
        if (kind is not (CountingOperations.Count or CountingOperations.Certify) || operations.Find(roundId, kind) is not { } operation)
        {
            // Operations live in the process that started them: behind another front end, or after a restart, ask for the step again.
            return Refused(CommandResultDetail.RefusedWith<ResultsView>(null, ApiErrors.OperationNotFound.Code, $"No {kind} of round {roundId} is known here; POST it again (each step is idempotent)."));
        }

        return operation.Answer.IsCompleted ? await AnswerOf(operation) : Running(http, operation);
    }

    public static async Task<Results<Ok<Adoption>, ProblemHttpResult>> DecideAdoption(string roundId, JsonBody<AdoptionRequest> json, Caller caller, CountingService counting)
    {
        var body = json.Value;
        var numbers = body.BallotNumbers?.ToList() ?? [];
        if (body.ProposalIds is { Count: > 0 } ids)
        {
            var view = await counting.GetAsync(roundId);
            var proposals = view.Certified?.Table.Proposals ?? [];
            if (ids.Any(id => proposals.All(p => p.ProposalId != id)))
            {
                return Refused(CommandResultDetail.RefusedWith<ResultsView>(null, ResultsErrorCodes.InvalidAdoption, "Each adopted proposal must be on the ballot."));
            }

            numbers.AddRange(ids.Select(id => proposals.First(p => p.ProposalId == id).BallotNumber));
        }

        return Answer(await counting.SetAdoptionAsync(roundId, numbers, body.Reason, caller.Actor), v => v.Adoption!);
    }

    public static async Task<Results<Ok<ResultsView>, ProblemHttpResult>> PublishResults(string roundId, Caller caller, CountingService counting) =>
        Answer(await counting.PublishAsync(roundId, caller.Actor), v => v);

    public static async Task<Results<Ok<BallotPurge>, ProblemHttpResult>> PurgeBallots(string roundId, Caller caller, CountingService counting) =>
        Answer(await counting.PurgeBallotsAsync(roundId, caller.Actor), v => v.Purge!);

    private static async Task<Results<Ok<CountReport>, Ok<ResultsView>, Accepted<CountingOperationStatus>, ProblemHttpResult>> StartAsync(
        string roundId, string kind, Caller caller, HttpContext http, CountingOperations operations, RoundService rounds, IConfiguration config)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return Refused(CommandResultDetail.RefusedWith<ResultsView>(null, RoundErrorCodes.RoundNotFound));
        }

        var operation = operations.Start(roundId, kind, caller.Actor);

        // "Prefer: respond-async" (RFC 7240): the client would rather poll than wait, so it is answered at once.
        var respondAsync = http.Request.Headers["Prefer"].Any(p => p?.Contains("respond-async", StringComparison.OrdinalIgnoreCase) == true);
        if (!respondAsync)
        {
            var wait = TimeSpan.FromSeconds(config.GetValue("Counting:AnswerWithinSeconds", DefaultAnswerWithinSeconds));
            await Task.WhenAny(operation.Answer, Task.Delay(wait, http.RequestAborted));
        }

        return operation.Answer.IsCompleted && !respondAsync ? await AnswerOf(operation) : Running(http, operation);
    }

    private static Accepted<CountingOperationStatus> Running(HttpContext http, CountingOperations.Operation operation)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Accepted($"/api/v1/rounds/{Uri.EscapeDataString(operation.RoundId)}/counting/operations/{operation.Kind}", operation.Status());
    }

    private static async Task<Results<Ok<CountReport>, Ok<ResultsView>, Accepted<CountingOperationStatus>, ProblemHttpResult>> AnswerOf(CountingOperations.Operation operation)
    {
        var answer = await operation.Answer;
        if (operation.Kind == CountingOperations.Count)
        {
            return answer.Result is { } refused ? Refused(refused) : TypedResults.Ok(answer.Report!);
        }

        return answer.Result!.Succeeded ? TypedResults.Ok(answer.Result.Value!) : Refused(answer.Result);
    }

    private static Results<Ok<T>, ProblemHttpResult> Answer<T>(CommandResult<ResultsView> result, Func<ResultsView, T> select) =>
        result.Succeeded ? TypedResults.Ok(select(result.Value!)) : Refused(result);

    /// <summary>A refused step, as every refusal is (<see cref="ApiErrors.Problem{TValue}(CommandResult{TValue}, string?, IReadOnlyDictionary{string, object?}?)"/>); administrators also see where the recount and the live tally differ.</summary>
    private static ProblemHttpResult Refused(CommandResult<ResultsView> result) =>
        ApiErrors.Problem(result, extensions: result.Code == ResultsErrorCodes.CountMismatch && result.Value?.LastCount is { } count
            ? new Dictionary<string, object?> { ["differences"] = count.Differences, ["countId"] = count.CountId }
            : null);
}
