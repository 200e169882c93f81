using Chiyoda.Civic.IdentityProvider.Accounts;
using Chiyoda.Civic.IdentityProvider.Clients;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Chiyoda.Civic.IdentityProvider.Hosting;

public static class OidcServerExtensions
{
    public const string AuthorizationPath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string EndSessionPath = "/connect/endsession";
    public const string UserInfoPath = "/connect/userinfo";

    /// <summary>
    /// OpenIddict server in degraded mode: no database, clients and users come from code, and inline
    /// handlers (see <see cref="OidcServerHandlers"/>) do what the stores would otherwise do.
    /// </summary>
    public static WebApplicationBuilder AddOidcServer(this WebApplicationBuilder builder)
    {
        var settings = IdentityProviderSettings.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton<OidcClients>();

        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.SetIssuer(settings.Issuer);

            // Discovery (/.well-known/openid-configuration) and JWKS (/.well-known/jwks) keep their defaults.
            options
                .SetAuthorizationEndpointUris(AuthorizationPath.TrimStart('/'))
                .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                .SetEndSessionEndpointUris(EndSessionPath.TrimStart('/'))
                .SetUserInfoEndpointUris(UserInfoPath.TrimStart('/'));

            options
                .AllowAuthorizationCodeFlow()
                .AllowRefreshTokenFlow()
                .AllowPasswordFlow()
                .RequireProofKeyForCodeExchange();

            options.Configure(server =>
            {
                // S256 only: "plain" PKCE protects nothing, and discovery should not advertise it.
                server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);

                // Clients authenticate with a shared secret (post or basic) or not at all; there are no
                // registered client keys in degraded mode, so private_key_jwt could never succeed.
                server.ClientAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt);
                server.ClientAssertionTypes.Clear();
            });

            options.RegisterScopes(
                Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, AccountPrincipals.ApiResource, Scopes.OfflineAccess);
            options.RegisterClaims(
                Claims.Subject, Claims.Name, Claims.Role, Claims.Birthdate, Claims.Email, Claims.EmailVerified,
                AccountPrincipals.VoterKeyClaim, AccountPrincipals.ResidencyClaim);

            options.EnableDegradedMode();

            // Plain signed JWTs so a stock JwtBearer resource server (Audience = "civic-api") can read them.
            options.DisableAccessTokenEncryption();

            // One hour unless set: the load benchmark sets a longer one so that its 200,000 cached voter
            // tokens outlive a working session instead of taking minutes to fetch again every hour.
            var accessTokenMinutes = Math.Max(1, builder.Configuration.GetValue("IdentityProvider:AccessTokenMinutes", 60));
            options.SetAccessTokenLifetime(TimeSpan.FromMinutes(accessTokenMinutes));

            SigningKeys.Configure(options, builder.Environment.ContentRootPath);

            // Plain HTTP on loopback is the whole point of this provider.
            options.UseAspNetCore().DisableTransportSecurityRequirement();

            options.AddEventHandler<ValidateAuthorizationRequestContext>(handler =>
                handler.UseInlineHandler(OidcServerHandlers.ValidateAuthorizationRequest));
            options.AddEventHandler<HandleAuthorizationRequestContext>(handler =>
                handler.UseInlineHandler(OidcServerHandlers.HandleAuthorizationRequest));
            options.AddEventHandler<ValidateTokenRequestContext>(handler =>
                handler.UseInlineHandler(OidcServerHandlers.ValidateTokenRequest));
            options.AddEventHandler<HandleTokenRequestContext>(handler =>
                handler.UseInlineHandler(OidcServerHandlers.HandleTokenRequest));
            options.AddEventHandler<ValidateEndSessionRequestContext>(handler =>
                handler.UseInlineHandler(OidcServerHandlers.ValidateEndSessionRequest));
            options.AddEventHandler<HandleEndSessionRequestContext>(handler =>
                handler.UseInlineHandler(OidcServerHandlers.HandleEndSessionRequest));
            options.AddEventHandler<HandleUserInfoRequestContext>(handler =>
                handler.UseInlineHandler(OidcServerHandlers.HandleUserInfoRequest));
        });

        return builder;
    }
}
