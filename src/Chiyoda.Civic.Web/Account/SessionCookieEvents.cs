using System.Security.Claims;
using System.Security.Cryptography;
using Chiyoda.Civic.Abstractions.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Chiyoda.Civic.Web.Account;

/// <summary>
/// Server-side sessions for the <c>__Host-civic</c> cookie. The cookie alone would be valid until it
/// expires, whatever happens on the server; here each sign-in gets a random session id, recorded in the
/// person's <see cref="ISessionGrain"/> and carried in the cookie, and every request checks it is still
/// live. Signing out ends it, so a copy of the cookie stops working at once on every front end.
/// </summary>
public sealed class SessionCookieEvents(IGrainFactory grains, TimeProvider time, ILogger<SessionCookieEvents> logger) : CookieAuthenticationEvents
{
    public override async Task SigningIn(CookieSigningInContext context)
    {
        if (context.Principal?.Identity is ClaimsIdentity identity && identity.FindFirst("sub")?.Value is { Length: > 0 } sub)
        {
            foreach (var old in identity.FindAll(SessionRules.SessionClaim).ToList())
            {
                identity.RemoveClaim(old);
            }

            var sessionId = Base64Url(RandomNumberGenerator.GetBytes(16));
            await grains.GetGrain<ISessionGrain>(sub).StartAsync(sessionId, time.GetUtcNow());
            identity.AddClaim(new Claim(SessionRules.SessionClaim, sessionId));
        }

        await base.SigningIn(context);
    }

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var sub = context.Principal?.FindFirst("sub")?.Value;
        var sessionId = context.Principal?.FindFirst(SessionRules.SessionClaim)?.Value;
        if (sub is null || sessionId is null || !await grains.GetGrain<ISessionGrain>(sub).IsActiveAsync(sessionId, time.GetUtcNow()))
        {
            logger.LogInformation("A cookie for a session that has ended was refused");
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        await base.ValidatePrincipal(context);
    }

    public override async Task SigningOut(CookieSigningOutContext context)
    {
        var user = context.HttpContext.User;
        if (user.FindFirst("sub")?.Value is { Length: > 0 } sub && user.FindFirst(SessionRules.SessionClaim)?.Value is { Length: > 0 } sessionId)
        {
            await grains.GetGrain<ISessionGrain>(sub).EndAsync(sessionId);
        }

        await base.SigningOut(context);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
