using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Audit;

/// <summary>/api/v1/rounds/{roundId}/audit: the round's audit log for administrators (the chain itself is …/audit.csv).</summary>
public static class AuditApi
{
    /// <summary>The largest page the audit log gives at once.</summary>
    public const int AuditPageMax = 500;

    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/rounds/{roundId}/audit", ListAuditEntries).WithTags("Audit").RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("List the round's audit entries (newest first), filtered by action and subject")
            .Paged(AuditPageMax).ProducesErrors(ApiErrors.RoundNotFound);
        return api;
    }

    public static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> ListAuditEntries(string roundId, int? skip, int? take, string? action, string? subject,
        AuditService audit, RoundService rounds) =>
        await rounds.GetAsync(roundId) is null
            ? ApiErrors.Problem(ApiErrors.RoundNotFound)
            : TypedResults.Ok(await audit.ListAsync(roundId, skip ?? 0, take ?? 100, action, subject));
}
