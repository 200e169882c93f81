using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Account;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace Chiyoda.Civic.Web.Proposals;

public static class ProposalPolicies
{
    private static readonly string[] ProposerRoles = [Roles.Resident, Roles.Participant];
    private static readonly string[] ScreenerRoles = [Roles.Screener, Roles.Administrator];

    public static AuthorizationBuilder AddProposalPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(CivicPolicies.Proposer, p => p.RequireRole(ProposerRoles))
        .AddPolicy(CivicPolicies.ApiProposer, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireRole(ProposerRoles))
        .AddPolicy(CivicPolicies.Screener, p => p.RequireRole(ScreenerRoles))
        .AddPolicy(CivicPolicies.ApiScreener, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireRole(ScreenerRoles));

    /// <summary>The person behind a request, as the grains take it: the "sub" and "name" claims and the staff roles.</summary>
    public static Actor ToActor(this ClaimsPrincipal user)
    {
        var sub = user.FindFirst("sub")?.Value ?? throw new InvalidOperationException("A signed-in user without a 'sub' claim.");
        return new Actor(sub, user.FindFirst("name")?.Value ?? sub,
            IsAdministrator: user.IsInRole(Roles.Administrator),
            IsScreener: user.IsInRole(Roles.Screener),
            IsDepartment: user.IsInRole(Roles.Department));
    }

    public static bool IsStaff(this ClaimsPrincipal user) => user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Screener);
}
