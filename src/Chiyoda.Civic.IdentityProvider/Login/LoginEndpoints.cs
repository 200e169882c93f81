using System.Security.Claims;
using Chiyoda.Civic.IdentityProvider.Accounts;
using Chiyoda.Civic.IdentityProvider.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Chiyoda.Civic.IdentityProvider.Login;

/// <summary>GET/POST /account/login and the provider's landing page.</summary>
internal static class LoginEndpoints
{
    public static IEndpointRouteBuilder MapLoginEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ProviderCookies.LoginPath, (HttpContext httpContext, IAntiforgery antiforgery, IdentityProviderSettings settings, string? returnUrl) =>
            Page(httpContext, antiforgery, settings, LocalUrl.OrRoot(returnUrl), username: null, LoginError.None));

        endpoints.MapPost(ProviderCookies.LoginPath, SignInAsync);

        endpoints.MapGet("/", (HttpContext httpContext) =>
        {
            var name = httpContext.User.Identity?.IsAuthenticated == true ? httpContext.User.FindFirst(Claims.Name)?.Value : null;
            return Html(httpContext, StatusPages.Home(name), StatusCodes.Status200OK);
        });

        return endpoints;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext httpContext, IAntiforgery antiforgery, IdentityProviderSettings settings, TimeProvider timeProvider)
    {
        var form = await httpContext.Request.ReadFormAsync(httpContext.RequestAborted);
        var returnUrl = LocalUrl.OrRoot(form["returnUrl"]);
        var username = form["username"].ToString().Trim();
        var password = form["password"].ToString();

        if (!await antiforgery.IsRequestValidAsync(httpContext))
        {
            return Page(httpContext, antiforgery, settings, returnUrl, username, LoginError.ExpiredForm);
        }

        var today = TokyoCalendar.Today(timeProvider);
        if (!DevelopmentCredentials.TryAuthenticate(username, password, settings.Password, today, out var account))
        {
            return Page(httpContext, antiforgery, settings, returnUrl, username, LoginError.BadCredentials);
        }

        // The session only remembers who signed in; token claims are rebuilt from the catalogue at authorize time.
        var identity = new ClaimsIdentity(ProviderCookies.Scheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, account.Subject));
        identity.AddClaim(new Claim(Claims.Name, account.Name));
        await httpContext.SignInAsync(ProviderCookies.Scheme, new ClaimsPrincipal(identity));

        return Results.Redirect(returnUrl);
    }

    private static IResult Page(
        HttpContext httpContext, IAntiforgery antiforgery, IdentityProviderSettings settings,
        string returnUrl, string? username, LoginError error)
    {
        var tokens = antiforgery.GetAndStoreTokens(httpContext);
        var html = LoginPage.Render(new LoginPageModel(
            returnUrl, username, error, tokens.FormFieldName, tokens.RequestToken ?? string.Empty, settings.Password));
        return Html(httpContext, html, error == LoginError.None ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static IResult Html(HttpContext httpContext, string html, int statusCode)
    {
        // Pages carry antiforgery tokens and session state: never cache them.
        httpContext.Response.Headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", statusCode: statusCode);
    }
}
