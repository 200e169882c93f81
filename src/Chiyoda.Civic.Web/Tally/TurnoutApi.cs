using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Register;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Tally;

/// <summary>How many have voted so far, for administrators. Never per-proposal counts while voting is open.</summary>
public sealed record TurnoutResponse(string RoundId, int Voters, int OnlineVoters, int PaperVoters, int Registered, int KioskVoters);

public static class TurnoutApi
{
    public static RouteGroupBuilder MapTurnoutApi(this RouteGroupBuilder api)
    {
        api.MapGet("/rounds/{roundId}/turnout", async (string roundId, RoundService rounds, TallyService tally, RegisterService register) =>
        {
            if (await rounds.GetAsync(roundId) is null)
            {
                return ApiProblems.Problem(StatusCodes.Status404NotFound, "round-not-found", "There is no such round.");
            }

            var totals = await tally.GetLiveTotalsAsync(roundId);
            return Results.Ok(new TurnoutResponse(roundId, totals.Voters, totals.OnlineVoters, totals.PaperVoters, await register.CountAsync(roundId), totals.KioskVoters));
        }).WithTags("Tally").RequireAuthorization(CivicPolicies.ApiAdministrator);
        return api;
    }
}
