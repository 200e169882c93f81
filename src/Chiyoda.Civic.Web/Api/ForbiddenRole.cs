using Chiyoda.Civic.Abstractions.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// A signed-in caller refused by an operation's role (<c>403 forbidden</c>) is told which role it needs, in words
/// ("This needs the administrator role.") and as <c>requiredRole</c> (the role the operation is for, the first its policy
/// names) and <c>allowedRoles</c> (every role that may call it), as the 403 response's schema says. Only the API answers so;
/// pages keep the framework's handling (the access-denied page). A caller refused for another reason than a role (a
/// policy without one) gets <c>forbidden</c> without the two members.
/// </summary>
public sealed class ForbiddenRole : IAuthorizationMiddlewareResultHandler
{
    public const string RequiredRole = "requiredRole";
    public const string AllowedRoles = "allowedRoles";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden || !Hosting.SecurityExtensions.IsApi(context.Request))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var roles = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var detail = $"This needs the {string.Join(" or ", roles.Select(Named))} role.";
        await ApiErrors.Problem(ApiErrors.Forbidden, detail, extensions: new Dictionary<string, object?>
        {
            [RequiredRole] = roles[0],
            [AllowedRoles] = roles,
        }).ExecuteAsync(context);
    }

    /// <summary>A role in words: the claim's value, except <c>admin</c>, which people call the administrator.</summary>
    private static string Named(string role) => role switch
    {
        Roles.Administrator => "administrator",
        _ => role,
    };
}
