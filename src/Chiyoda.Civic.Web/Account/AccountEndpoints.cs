using Chiyoda.Civic.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace Chiyoda.Civic.Web.Account;

public static class AccountEndpoints
{
    /// <summary>Sign-in, sign-out and language choice. Every return address must be local (no open redirects).</summary>
    public static WebApplication MapCivicAccountEndpoints(this WebApplication app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();

        account.MapGet("/login", (string? returnUrl) =>
            TypedResults.Challenge(new AuthenticationProperties { RedirectUri = LocalUrl.OrHome(returnUrl) }))
            .AllowAnonymous();

        account.MapPost("/logout", ([FromForm] string? returnUrl) =>
            TypedResults.SignOut(new AuthenticationProperties { RedirectUri = LocalUrl.OrHome(returnUrl) },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));

        app.MapGet("/culture/{culture}", (string culture, string? returnUrl, HttpContext context) =>
        {
            if (LocalizationExtensions.IsSupported(culture))
            {
                context.Response.Cookies.Append(
                    LocalizationExtensions.CultureCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions
                    {
                        Path = "/",
                        Secure = true,
                        HttpOnly = true,
                        SameSite = SameSiteMode.Lax,
                        IsEssential = true,
                        MaxAge = TimeSpan.FromDays(365),
                    });
            }

            return TypedResults.LocalRedirect(LocalUrl.OrHome(returnUrl));
        }).ExcludeFromDescription();

        return app;
    }
}

public static class LocalUrl
{
    /// <summary>A path on this site, or "/" for anything that could lead elsewhere ("//host", "/\host", absolute URLs).</summary>
    public static string OrHome(string? url) =>
        IsLocal(url) ? url! : "/";

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);
}
