using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Web.Account;
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
            })
            .AddJwtBearer(options =>
            {
                options.Authority = settings.Authority;
                options.Audience = settings.ApiAudience;
                options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = Roles.ClaimType;
            });

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
            .AddPolicy(CivicPolicies.ApiKeyingClerk, p => p
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireRole(Roles.Clerk));
        builder.Services.AddAuthorizationBuilder().AddProposalPolicies();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }
}

/// <summary>How the platform reaches its identity provider. Outside development every value must be set.</summary>
public sealed record IdentitySettings(string Authority, string ClientId, string ClientSecret, string ApiAudience, bool RequireHttpsMetadata)
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
            section.GetValue("RequireHttpsMetadata", !environment.IsDevelopment()));
    }
}
