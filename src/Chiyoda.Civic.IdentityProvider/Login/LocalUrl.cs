namespace Chiyoda.Civic.IdentityProvider.Login;

/// <summary>Guards the login page's returnUrl against open redirects.</summary>
internal static class LocalUrl
{
    /// <summary>
    /// <paramref name="returnUrl"/> if it is a path on this host, otherwise <c>/</c>. <c>//host</c> and
    /// <c>/\host</c> are rejected because browsers treat both as protocol-relative URLs to another host.
    /// </summary>
    public static string OrRoot(string? returnUrl) =>
        returnUrl is { Length: > 0 } url &&
        url[0] == '/' &&
        (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) &&
        !url.Any(char.IsControl)
            ? url
            : "/";
}
