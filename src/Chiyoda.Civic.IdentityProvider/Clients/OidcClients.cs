using System.Security.Cryptography;
using System.Text;
using Chiyoda.Civic.IdentityProvider.Hosting;

namespace Chiyoda.Civic.IdentityProvider.Clients;

/// <summary>
/// The two known clients. Degraded mode has no application store, so these rules replace what OpenIddict
/// would otherwise read from client registrations (redirect URIs, secrets, permitted grants).
/// </summary>
public sealed class OidcClients(IdentityProviderSettings settings)
{
    /// <summary>The platform's web front end: confidential, authorization code + PKCE.</summary>
    public const string WebClientId = "civic-web";

    /// <summary>Scripts and load generators: public, resource-owner password grant.</summary>
    public const string ScriptsClientId = "civic-scripts";

    public bool IsAllowedRedirectUri(string? clientId, string? redirectUri) =>
        clientId == WebClientId &&
        redirectUri is not null &&
        settings.WebOrigins.Any(origin => string.Equals(redirectUri, origin + "/signin-oidc", StringComparison.Ordinal));

    public bool IsAllowedPostLogoutRedirectUri(string postLogoutRedirectUri) =>
        settings.WebOrigins.Any(origin =>
            string.Equals(postLogoutRedirectUri, origin + "/signout-callback-oidc", StringComparison.Ordinal) ||
            string.Equals(postLogoutRedirectUri, origin + "/", StringComparison.Ordinal));

    public bool IsValidWebClientSecret(string? secret) =>
        secret is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(settings.WebClientSecret));
}
