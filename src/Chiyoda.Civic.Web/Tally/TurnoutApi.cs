using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Register;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Tally;

/// <summary>How many have voted so far, for administrators. Never per-proposal counts while voting is open.</summary>
public sealed record TurnoutResponse(string RoundId, int Voters, int OnlineVoters, int PaperVoters, int Registered, int KioskVoters);

public static class TurnoutApi
{
    public static RouteGroupBuilder MapTurnoutApi(this RouteGroupBuilder api)
    {
        api.MapGet("/rounds/{roundId}/turnout", GetTurnout).WithTags("Tally").RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Get the live turnout (voters by channel, never votes per proposal)")
            .ProducesErrors(ApiErrors.RoundNotFound);
        return api;
    }

    public static async Task<Results<Ok<TurnoutResponse>, ProblemHttpResult>> GetTurnout(string roundId, RoundService rounds, TallyService tally, RegisterService register)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return ApiErrors.Problem(ApiErrors.RoundNotFound);
        }

        var totals = await tally.GetLiveTotalsAsync(roundId);
        return TypedResults.Ok(new TurnoutResponse(roundId, totals.Voters, totals.OnlineVoters, totals.PaperVoters, await register.CountAsync(roundId), totals.KioskVoters));
    }
}
