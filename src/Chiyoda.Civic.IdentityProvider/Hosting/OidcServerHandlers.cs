using Chiyoda.Civic.IdentityProvider.Accounts;
using Chiyoda.Civic.IdentityProvider.Clients;
using Chiyoda.Civic.IdentityProvider.Login;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Chiyoda.Civic.IdentityProvider.Hosting;

/// <summary>
/// Inline OpenIddict handlers. In degraded mode OpenIddict validates protocol shape and tokens but knows no
/// clients or users, so client authentication, redirect URIs, grant permissions and sign-in live here.
/// </summary>
internal static class OidcServerHandlers
{
    public static ValueTask ValidateAuthorizationRequest(ValidateAuthorizationRequestContext context)
    {
        var clients = Services(context).GetRequiredService<OidcClients>();

        // Only the web client uses the browser flow; scripts use the password grant.
        if (context.ClientId != OidcClients.WebClientId)
        {
            context.Reject(Errors.InvalidClient, "Unknown client_id, or the client may not use the authorization endpoint.");
        }
        else if (!clients.IsAllowedRedirectUri(context.ClientId, context.RedirectUri))
        {
            // Rejected before the redirect_uri is marked validated, so OpenIddict shows an error page
            // instead of sending the browser to the unknown URI.
            context.Reject(Errors.InvalidRequest, "The redirect_uri is not registered for this client.");
        }
        else if (string.IsNullOrEmpty(context.Request.CodeChallenge) ||
                 context.Request.CodeChallengeMethod != CodeChallengeMethods.Sha256)
        {
            context.Reject(Errors.InvalidRequest, "PKCE with code_challenge_method=S256 is required.");
        }

        return ValueTask.CompletedTask;
    }

    public static async ValueTask HandleAuthorizationRequest(HandleAuthorizationRequestContext context)
    {
        var httpContext = HttpContextOf(context);
        var request = context.Request;
        var session = await httpContext.AuthenticateAsync(ProviderCookies.Scheme);
        var forceLogin = request.HasPromptValue(PromptValues.Login);

        if (!session.Succeeded || forceLogin)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                context.Reject(Errors.LoginRequired, "The user is not signed in to the identity provider.");
                return;
            }

            // Come back to the same authorization request after login, minus prompt=login so it is honoured once.
            await httpContext.ChallengeAsync(ProviderCookies.Scheme, new AuthenticationProperties
            {
                RedirectUri = AuthorizationUrl(httpContext, request, withoutPrompt: forceLogin),
            });
            context.HandleRequest();
            return;
        }

        var subject = session.Principal.FindFirst(Claims.Subject)?.Value;
        var today = TokyoCalendar.Today(Services(context).GetRequiredService<TimeProvider>());
        if (subject is null || !DevelopmentAccounts.TryFind(subject, today, out var account))
        {
            // A cookie for an account that no longer exists: start over at the login page.
            await httpContext.SignOutAsync(ProviderCookies.Scheme);
            await httpContext.ChallengeAsync(ProviderCookies.Scheme, new AuthenticationProperties
            {
                RedirectUri = AuthorizationUrl(httpContext, request, withoutPrompt: false),
            });
            context.HandleRequest();
            return;
        }

        context.SignIn(AccountPrincipals.Create(account, request.GetScopes()));
    }

    public static ValueTask ValidateTokenRequest(ValidateTokenRequestContext context)
    {
        var clients = Services(context).GetRequiredService<OidcClients>();
        var request = context.Request;

        switch (context.ClientId)
        {
            case OidcClients.WebClientId:
                if (!clients.IsValidWebClientSecret(context.ClientSecret))
                {
                    context.Reject(Errors.InvalidClient, "The client secret is missing or invalid.");
                }
                else if (!request.IsAuthorizationCodeGrantType() && !request.IsRefreshTokenGrantType())
                {
                    context.Reject(Errors.UnauthorizedClient, "civic-web may only use authorization_code and refresh_token.");
                }

                break;

            case OidcClients.ScriptsClientId:
                if (!string.IsNullOrEmpty(context.ClientSecret))
                {
                    context.Reject(Errors.InvalidClient, "civic-scripts is a public client and must not send a client secret.");
                }
                else if (!request.IsPasswordGrantType() && !request.IsRefreshTokenGrantType())
                {
                    context.Reject(Errors.UnauthorizedClient, "civic-scripts may only use password and refresh_token.");
                }

                break;

            default:
                context.Reject(Errors.InvalidClient, "Unknown client_id.");
                break;
        }

        return ValueTask.CompletedTask;
    }

    public static ValueTask HandleTokenRequest(HandleTokenRequestContext context)
    {
        var services = Services(context);
        var today = TokyoCalendar.Today(services.GetRequiredService<TimeProvider>());
        var request = context.Request;

        if (request.IsPasswordGrantType())
        {
            var settings = services.GetRequiredService<IdentityProviderSettings>();
            if (!DevelopmentCredentials.TryAuthenticate(request.Username, request.Password, settings.Password, today, out var account))
            {
                context.Reject(Errors.InvalidGrant, "The account name or password is incorrect.");
                return ValueTask.CompletedTask;
            }

            context.SignIn(AccountPrincipals.Create(account, request.GetScopes()));
            return ValueTask.CompletedTask;
        }

        // Authorization code or refresh token: OpenIddict has already validated the token itself.
        var previous = context.AuthorizationCodePrincipal ?? context.RefreshTokenPrincipal;
        var subject = previous?.GetClaim(Claims.Subject);
        if (previous is null || subject is null || !DevelopmentAccounts.TryFind(subject, today, out var current))
        {
            context.Reject(Errors.InvalidGrant, "The account behind this grant no longer exists.");
            return ValueTask.CompletedTask;
        }

        context.SignIn(AccountPrincipals.Refresh(previous, current));
        return ValueTask.CompletedTask;
    }

    public static ValueTask ValidateEndSessionRequest(ValidateEndSessionRequestContext context)
    {
        var clients = Services(context).GetRequiredService<OidcClients>();

        // The OIDC handler usually sends id_token_hint rather than client_id, so client_id is optional.
        if (context.ClientId is not null && context.ClientId != OidcClients.WebClientId)
        {
            context.Reject(Errors.InvalidClient, "Unknown client_id, or the client may not use the end-session endpoint.");
        }
        else if (context.PostLogoutRedirectUri is not null && !clients.IsAllowedPostLogoutRedirectUri(context.PostLogoutRedirectUri))
        {
            context.Reject(Errors.InvalidRequest, "The post_logout_redirect_uri is not registered.");
        }

        return ValueTask.CompletedTask;
    }

    public static async ValueTask HandleEndSessionRequest(HandleEndSessionRequestContext context)
    {
        var httpContext = HttpContextOf(context);
        await httpContext.SignOutAsync(ProviderCookies.Scheme);

        if (context.Request.PostLogoutRedirectUri is null)
        {
            // Nowhere to send the browser back to: say so instead of OpenIddict's empty 200.
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            httpContext.Response.Headers.CacheControl = "no-store";
            await httpContext.Response.WriteAsync(StatusPages.SignedOut(), httpContext.RequestAborted);
            context.HandleRequest();
            return;
        }

        // Lets OpenIddict redirect to the validated post_logout_redirect_uri (with state).
        context.SignOut();
    }

    public static ValueTask HandleUserInfoRequest(HandleUserInfoRequestContext context)
    {
        // OpenIddict only adds standard claims by scope; add the platform's own so userinfo matches the tokens.
        var principal = context.AccessTokenPrincipal;
        if (principal is null)
        {
            return ValueTask.CompletedTask;
        }

        if (principal.GetClaim(Claims.Name) is { } name)
        {
            context.Claims[Claims.Name] = name;
        }

        if (principal.GetClaims(Claims.Role) is { IsDefaultOrEmpty: false } roles)
        {
            context.Claims[Claims.Role] = roles.Length == 1 ? roles[0] : new OpenIddictParameter(roles.CastArray<string?>());
        }

        foreach (var type in (string[])[AccountPrincipals.VoterKeyClaim, AccountPrincipals.ResidencyClaim, Claims.Birthdate])
        {
            if (principal.GetClaim(type) is { } value)
            {
                context.Claims[type] = value;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The authorization request as a local URL, whatever HTTP method it arrived with.</summary>
    private static string AuthorizationUrl(HttpContext httpContext, OpenIddictRequest request, bool withoutPrompt)
    {
        var parameters = new List<KeyValuePair<string, StringValues>>();
        foreach (var (name, value) in request.GetParameters())
        {
            if (withoutPrompt && name == Parameters.Prompt)
            {
                continue;
            }

            parameters.Add(new(name, (StringValues)value));
        }

        return httpContext.Request.PathBase + httpContext.Request.Path + QueryString.Create(parameters);
    }

    private static HttpContext HttpContextOf(OpenIddictServerEvents.BaseContext context) =>
        context.Transaction.GetHttpRequest()?.HttpContext
        ?? throw new InvalidOperationException("OpenIddict is expected to run inside ASP.NET Core here.");

    private static IServiceProvider Services(OpenIddictServerEvents.BaseContext context) =>
        HttpContextOf(context).RequestServices;
}
