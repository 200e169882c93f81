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
    /// <summary>
    /// A path on this site, or "/" for anything that could lead elsewhere ("//host", "/\host", absolute URLs).
    /// The path goes into a Location header, which takes ASCII only: other characters (a pasted
    /// "/%E3%80%80/" arrives decoded as an ideographic space) are percent-encoded as UTF-8, so the
    /// redirect leads where it was asked to instead of failing the response.
    /// </summary>
    public static string OrHome(string? url) =>
        IsLocal(url) ? AsciiOnly(url!) : "/";

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\' && !char.IsWhiteSpace(url[1])))
        && !url.Any(char.IsControl);

    private static string AsciiOnly(string url)
    {
        if (url.All(c => c is > ' ' and < (char)127))
        {
            return url;
        }

        var escaped = new System.Text.StringBuilder(url.Length * 3);
        var utf8 = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false);
        for (var i = 0; i < url.Length; i++)
        {
            var c = url[i];
            if (c is > ' ' and < (char)127)
            {
                escaped.Append(c);
                continue;
            }

            // A surrogate pair is one character; a lone surrogate becomes U+FFFD, as the encoder has it.
            var length = char.IsHighSurrogate(c) && i + 1 < url.Length && char.IsLowSurrogate(url[i + 1]) ? 2 : 1;
            foreach (var b in utf8.GetBytes(url.ToCharArray(i, length)))
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            i += length - 1;
        }

        return escaped.ToString();
    }
}
