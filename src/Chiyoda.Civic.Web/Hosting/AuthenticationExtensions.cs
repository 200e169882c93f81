using Chiyoda.Civic.Abstractions.Common;
using System.Security.Claims;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Proposals;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Chiyoda.Civic.Web.Hosting;

public static class AuthenticationExtensions
{
    /// <summary>
    /// Pages sign in with OpenID Connect (code + PKCE) into a cookie session; the API takes bearer
    /// tokens from the same provider. Roles come from the provider's "role" claims.
    /// </summary>
    public static WebApplicationBuilder AddCivicAuthentication(this WebApplicationBuilder builder)
    {
        var settings = IdentitySettings.From(builder.Configuration, builder.Environment);

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "__Host-civic";
                options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.HttpOnly = true;
                options.Cookie.Path = "/";
                options.AccessDeniedPath = "/access-denied";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                // Every request checks the cookie's session is still live: signing out ends it on the server.
                options.EventsType = typeof(SessionCookieEvents);
            })
            .AddOpenIdConnect(options =>
            {
                options.Authority = settings.Authority;
                options.ClientId = settings.ClientId;
                options.ClientSecret = settings.ClientSecret;
                options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.UsePkce = true;
                // The query response mode lets the correlation cookies stay SameSite=Lax.
                options.ResponseMode = OpenIdConnectResponseMode.Query;
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = false;
                options.SaveTokens = false;
                options.Scope.Clear();
                options.Scope.Add("openid");
                options.Scope.Add("profile");
                options.Scope.Add("roles");
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = Roles.ClaimType;
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.ClaimActions.Remove("role");
                // A callback that cannot be used (tampered or expired state, replayed code, a cancelled
                // sign-in) is the caller's, not the server's: a 400 page that offers to sign in again.
                options.Events.OnRemoteFailure = async context =>
                {
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Chiyoda.Civic.SignIn")
                        .LogWarning("Sign-in callback refused: {Reason}", context.Failure?.Message);
                    context.HandleResponse();
                    await SignInFailedPage.WriteAsync(context.HttpContext);
                };
            })
            .AddJwtBearer(options =>
            {
                options.Authority = settings.Authority;
                options.Audience = settings.ApiAudience;
                options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = Roles.ClaimType;
                options.Events = new JwtBearerEvents
                {
                    // The audience says the token is for this API; the scope says the person agreed to this
                    // client using it. A token asked for without the scope is refused, whatever its audience.
                    OnTokenValidated = context =>
                    {
                        if (!ApiScope.IsGranted(context.Principal, settings.ApiScope))
                        {
                            context.HttpContext.Items[ApiScope.MissingItem] = true;
                            context.Fail($"The access token was not granted the '{settings.ApiScope}' scope.");
                        }

                        return Task.CompletedTask;
                    },
                    OnChallenge = async context =>
                    {
                        if (context.HttpContext.Items.ContainsKey(ApiScope.MissingItem))
                        {
                            context.HandleResponse();
                            context.Response.StatusCode = StatusCodes.Status403Forbidden;
                            context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{settings.ApiScope}\"";
                            await ApiProblems.Problem(StatusCodes.Status403Forbidden, ApiScope.ErrorCode,
                                $"The access token was not granted the '{settings.ApiScope}' scope. Ask the identity provider for it.").ExecuteAsync(context.HttpContext);
                        }
                    },
                };
            });
        builder.Services.AddSingleton<SessionCookieEvents>();

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(CivicPolicies.Administrator, p => p.RequireRole(Roles.Administrator))
            .AddPolicy(CivicPolicies.ApiAdministrator, p => p
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireRole(Roles.Administrator))
            .AddPolicy(CivicPolicies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(CivicPolicies.ApiSignedIn, p => p
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(CivicPolicies.ApiClerk, p => p
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireRole(Roles.Clerk, Roles.Administrator))
            .AddPolicy(CivicPolicies.Clerk, p => p.RequireRole(Roles.Clerk, Roles.Administrator))
            .AddPolicy(CivicPolicies.KeyingClerk, p => p.RequireRole(Roles.Clerk))
            .AddPolicy(CivicPolicies.Department, p => p.RequireRole(Roles.Department, Roles.Administrator))
            .AddPolicy(CivicPolicies.ApiDepartment, p => p
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireRole(Roles.Department, Roles.Administrator))
            .AddPolicy(CivicPolicies.Moderator, p => p.RequireRole(Roles.Moderator, Roles.Administrator))
            .AddPolicy(CivicPolicies.ApiModerator, p => p
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireRole(Roles.Moderator, Roles.Administrator))
            .AddPolicy(CivicPolicies.ApiKeyingClerk, p => p
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireRole(Roles.Clerk));
        builder.Services.AddAuthorizationBuilder().AddProposalPolicies();
        // An API caller without the operation's role is told which role it needs (problem details with requiredRole).
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, Api.ForbiddenRole>();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }
}

/// <summary>How the platform reaches its identity provider. Outside development every value must be set.</summary>
public sealed record IdentitySettings(string Authority, string ClientId, string ClientSecret, string ApiAudience, bool RequireHttpsMetadata, string ApiScope = "civic-api")
{
    public static IdentitySettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection("Authentication");
        string Required(string key) => section[key] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Sign-in is not configured: set Authentication:{key} (the ward's OpenID Connect provider). " +
                "See README.md, 'Production settings'.");

        return new IdentitySettings(
            Required("Authority"),
            Required("ClientId"),
            Required("ClientSecret"),
            section["ApiAudience"] is { Length: > 0 } audience ? audience : "civic-api",
            // Plain HTTP to the provider is only acceptable for the development provider on loopback.
            section.GetValue("RequireHttpsMetadata", !environment.IsDevelopment()),
            section["ApiScope"] is { Length: > 0 } scope ? scope : "civic-api");
    }
}

/// <summary>The scope every API token must carry ("scope" as a space-separated string, RFC 9068, or Entra's "scp").</summary>
public static class ApiScope
{
    public const string ErrorCode = "insufficient-scope";
    public const string MissingItem = "civic.api-scope-missing";

    public static bool IsGranted(ClaimsPrincipal? principal, string scope) =>
        principal is not null && principal.Claims
            .Where(c => c.Type is "scope" or "scp")
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(scope, StringComparer.Ordinal);
}
