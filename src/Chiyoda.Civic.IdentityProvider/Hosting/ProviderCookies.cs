namespace Chiyoda.Civic.IdentityProvider.Hosting;

/// <summary>Names of the provider's own cookie scheme and cookies.</summary>
public static class ProviderCookies
{
    /// <summary>The provider's session, separate from the platform's own cookie.</summary>
    public const string Scheme = "civic-idp";

    // __Host- prefix: Secure, Path=/ and no Domain, so no other host or path can plant or read it.
    // Browsers accept Secure cookies from http://localhost, which is the only place this provider runs.
    public const string SessionCookieName = "__Host-civic-idp";
    public const string AntiforgeryCookieName = "__Host-civic-idp-af";

    public const string LoginPath = "/account/login";
    public const string ReturnUrlParameter = "returnUrl";
}
