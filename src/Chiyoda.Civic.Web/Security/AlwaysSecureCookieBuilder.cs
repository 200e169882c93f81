namespace Chiyoda.Civic.Web.Security;

/// <summary>
/// Marks a cookie Secure (its __Host- prefix requires it) even when the request came over plain HTTP,
/// as it does on http://localhost in development and behind a TLS-terminating proxy. Setting
/// <see cref="CookieSecurePolicy.Always"/> instead would make antiforgery refuse every such request.
/// </summary>
public sealed class AlwaysSecureCookieBuilder : CookieBuilder
{
    public AlwaysSecureCookieBuilder() => SecurePolicy = CookieSecurePolicy.SameAsRequest;

    public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
    {
        var options = base.Build(context, expiresFrom);
        options.Secure = true;
        return options;
    }
}
