using Chiyoda.Civic.Abstractions.Kiosk;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.PaperBallots;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;

namespace Chiyoda.Civic.Web.Kiosk;

public static class KioskEndpoints
{
    /// <summary>
    /// The hand-over: a clerk's browser becomes the voter's kiosk. The session is opened (every check again, in the
    /// session grain), its token goes into the kiosk cookie, and the clerk is signed out of this browser, here and at
    /// the identity provider, so nothing on the device can act or see as the clerk; the provider then returns the
    /// browser to <c>/kiosk</c>, which shows the ballot. A refusal returns to the clerk's page with its code.
    /// </summary>
    public static WebApplication MapCivicKioskEndpoints(this WebApplication app)
    {
        app.MapPost("/kiosk/handover", HandOverAsync).ExcludeFromDescription().RequireAuthorization(CivicPolicies.KeyingClerk);
        return app;
    }

    public static async Task<IResult> HandOverAsync([FromForm] string roundId, [FromForm] string voterKey, [FromForm] string facilityCode, HttpContext context, KioskService kiosk)
    {
        var clerk = PaperActor.From(context.User)!;
        var (token, result) = await kiosk.OpenAsync(roundId, voterKey, facilityCode, clerk);
        if (token is null)
        {
            return TypedResults.LocalRedirect(LocalUrl.OrHome($"/kiosk/open/{Uri.EscapeDataString(roundId)}?refused={Uri.EscapeDataString(result.Code ?? "")}"));
        }

        context.Response.Cookies.Append(KioskService.CookieName, token, new CookieOptions
        {
            Path = "/",
            Secure = true,
            HttpOnly = true,
            // Lax, not Strict: the browser comes back to /kiosk from the identity provider's sign-out, another site.
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            MaxAge = KioskRules.SessionLifetime + TimeSpan.FromMinutes(1),
        });
        return TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/kiosk" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
    }
}
