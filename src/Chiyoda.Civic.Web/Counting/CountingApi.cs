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

        round.MapPost("/count", async (string roundId, HttpContext http, CountingService counting) =>
        {
            var (report, refused) = await counting.CountAsync(roundId, http.User.ToActor());
            return refused is not null ? Refused(refused) : Results.Ok(report);
        });

        round.MapPost("/certify", async (string roundId, HttpContext http, CountingService counting) =>
            Answer(await counting.CertifyAsync(roundId, http.User.ToActor()), v => v));

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

    private static IResult Answer<T>(ResultsCommandResult result, Func<ResultsView, T> select) =>
        result.Succeeded ? Results.Ok(select(result.View!)) : Refused(result);

    private static IResult Refused(ResultsCommandResult result)
    {
        var code = result.Code!;
        // Administrators see where the recount and the live tally differ.
        var extensions = code == ResultsErrorCodes.CountMismatch && result.View?.LastCount is { } count
            ? new Dictionary<string, object?> { ["differences"] = count.Differences, ["countId"] = count.CountId }
            : null;
        return ApiErrors.Problem(code, ApiErrors.Find(code)?.Title ?? "The step was refused.", result.Detail, extensions: extensions);
    }
}
