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
    public static RouteGroupBuilder MapCountingApi(this RouteGroupBuilder api)
    {
        var round = api.MapGroup("/rounds/{roundId}").WithTags("Counting").RequireAuthorization(CivicPolicies.ApiAdministrator);
        round.MapGet("/counting", GetCounting).WithSummary("Get the round's close, last count, certification, adoption and publication")
            .ProducesErrors(ApiErrors.RoundNotFound);
        round.MapPost("/close", CloseVoting).WithSummary("Close voting now, with a reason")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidReason, ApiErrors.VotingNotOpen, ApiErrors.VotingClosed, ApiErrors.InvalidRound);
        round.MapPost("/count", Count).WithSummary("Count every stored ballot and compare with the live tally (after the close)")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.NotClosed, ApiErrors.NoShortlist, ApiErrors.BallotsPurged);
        round.MapPost("/certify", Certify).WithSummary("Count again and certify when the count matches the live tally")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.NotClosed, ApiErrors.NoShortlist, ApiErrors.BallotsPurged, ApiErrors.CountMismatch, ApiErrors.PaperCommitting);
        round.MapPost("/adoption", DecideAdoption).WithSummary("Decide the adopted proposals (a tie at the cut-off), with a public reason")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.InvalidAdoption, ApiErrors.InvalidReason, ApiErrors.NotCertified, ApiErrors.AlreadyPublished);
        round.MapPost("/publish", Publish).WithSummary("Publish the certified results and open data")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.NotCertified, ApiErrors.AdoptionTied);
        // After certification: removes every voter↔ballot link (the stored ballots); the anonymised ballots stay.
        round.MapPost("/purge-ballots", PurgeBallots).WithSummary("Remove every voter-ballot link of a certified round")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.NotCertified);
        return api;
    }

    public static async Task<Results<Ok<ResultsView>, ProblemHttpResult>> GetCounting(string roundId, CountingService counting, RoundService rounds) =>
        await rounds.GetAsync(roundId) is null ? Refused(new(null, RoundErrorCodes.RoundNotFound)) : TypedResults.Ok(await counting.GetAsync(roundId));

    public static async Task<Results<Ok<CloseRecord>, ProblemHttpResult>> CloseVoting(string roundId, CloseRequest? body, Caller caller, CountingService counting) =>
        Answer(await counting.CloseAsync(roundId, body?.Reason, caller.Actor), v => v.Close!);

    public static async Task<Results<Ok<CountReport>, ProblemHttpResult>> Count(string roundId, Caller caller, CountingService counting)
    {
        var (report, refused) = await counting.CountAsync(roundId, caller.Actor);
        return refused is not null ? Refused(refused) : TypedResults.Ok(report!);
    }

    public static async Task<Results<Ok<ResultsView>, ProblemHttpResult>> Certify(string roundId, Caller caller, CountingService counting) =>
        Answer(await counting.CertifyAsync(roundId, caller.Actor), v => v);

    public static async Task<Results<Ok<Adoption>, ProblemHttpResult>> DecideAdoption(string roundId, AdoptionRequest? body, Caller caller, CountingService counting)
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

        return Answer(await counting.SetAdoptionAsync(roundId, numbers, body?.Reason, caller.Actor), v => v.Adoption!);
    }

    public static async Task<Results<Ok<ResultsView>, ProblemHttpResult>> Publish(string roundId, Caller caller, CountingService counting) =>
        Answer(await counting.PublishAsync(roundId, caller.Actor), v => v);

    public static async Task<Results<Ok<BallotPurge>, ProblemHttpResult>> PurgeBallots(string roundId, Caller caller, CountingService counting) =>
        Answer(await counting.PurgeBallotsAsync(roundId, caller.Actor), v => v.Purge!);

    private static Results<Ok<T>, ProblemHttpResult> Answer<T>(ResultsCommandResult result, Func<ResultsView, T> select) =>
        result.Succeeded ? TypedResults.Ok(select(result.View!)) : Refused(result);

    private static ProblemHttpResult Refused(ResultsCommandResult result)
    {
        var code = result.Code!;
        // Administrators see where the recount and the live tally differ.
        var extensions = code == ResultsErrorCodes.CountMismatch && result.View?.LastCount is { } count
            ? new Dictionary<string, object?> { ["differences"] = count.Differences, ["countId"] = count.CountId }
            : null;
        return ApiErrors.Problem(code, ApiErrors.Find(code)?.Title ?? "The step was refused.", result.Detail, extensions: extensions);
    }
}
