using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Chiyoda.Civic.IdentityProvider.Accounts;

/// <summary>Turns a <see cref="DevelopmentAccount"/> into the claims carried by OpenIddict tokens.</summary>
public static class AccountPrincipals
{
    public const string VoterKeyClaim = "voter_key";
    public const string ResidencyClaim = "residency";

    /// <summary>Audience of every access token; the platform's JwtBearer validates exactly this.</summary>
    public const string ApiResource = "civic-api";

    /// <summary>The claim types this provider owns; they are replaced whenever a token is re-issued.</summary>
    private static readonly HashSet<string> AccountClaimTypes =
        [Claims.Subject, Claims.Name, Claims.Role, VoterKeyClaim, Claims.Birthdate, ResidencyClaim, Claims.Email, Claims.EmailVerified];

    // The platform reads account facts from both the id token (web sign-in) and the access token (API),
    // so every account claim goes to both regardless of the scopes requested.
    private static readonly string[] BothTokens = [Destinations.AccessToken, Destinations.IdentityToken];

    /// <summary>A fresh principal for a sign-in, carrying the requested scopes and the API audience.</summary>
    public static ClaimsPrincipal Create(DevelopmentAccount account, IEnumerable<string> scopes)
    {
        var granted = scopes.ToList();
        var identity = NewIdentity([]);
        AddAccountClaims(identity, account, withEmail: granted.Contains(Scopes.Email));
        identity.SetScopes(granted);
        identity.SetResources(ApiResource);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// Re-issues a principal from an authorization code or refresh token with the account's current claims,
    /// keeping OpenIddict's private claims (scopes, resources, nonce, token ids) so the protocol still lines up.
    /// </summary>
    public static ClaimsPrincipal Refresh(ClaimsPrincipal previous, DevelopmentAccount account)
    {
        var identity = NewIdentity(previous.Claims.Where(claim => !AccountClaimTypes.Contains(claim.Type)));
        AddAccountClaims(identity, account, withEmail: previous.HasScope(Scopes.Email));
        identity.SetResources(ApiResource);
        return new ClaimsPrincipal(identity);
    }

    private static ClaimsIdentity NewIdentity(IEnumerable<Claim> claims) =>
        new(claims, TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);

    private static void AddAccountClaims(ClaimsIdentity identity, DevelopmentAccount account, bool withEmail)
    {
        Add(identity, Claims.Subject, account.Subject);
        Add(identity, Claims.Name, account.Name);
        foreach (var role in account.Roles)
        {
            Add(identity, Claims.Role, role);
        }

        if (account.VoterKey is not null)
        {
            Add(identity, VoterKeyClaim, account.VoterKey);
        }

        if (account.Birthdate is { } birthdate)
        {
            Add(identity, Claims.Birthdate, birthdate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (account.Residency is not null)
        {
            Add(identity, ResidencyClaim, account.Residency);
        }

        // Only with the "email" scope, as OpenID Connect has it: the address is personal data the client asked for.
        if (withEmail)
        {
            Add(identity, Claims.Email, account.Email);
            identity.AddClaim(new Claim(Claims.EmailVerified, "true", ClaimValueTypes.Boolean).SetDestinations(BothTokens));
        }
    }

    private static void Add(ClaimsIdentity identity, string type, string value) =>
        identity.AddClaim(new Claim(type, value).SetDestinations(BothTokens));
}
