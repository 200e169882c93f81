using System.Security.Cryptography;
using System.Text;

namespace Chiyoda.Civic.IdentityProvider.Hosting;

public static class SecurityHeadersExtensions
{
    /// <summary>
    /// The one inline script this provider emits: OpenIddict's response_mode=form_post page, which the
    /// platform's OIDC handler uses by default, auto-submits its form with it. Allowing exactly this script by
    /// hash keeps every other inline script blocked.
    /// </summary>
    internal const string FormPostScript = "document.form.submit();";

    /// <summary>Same policy on every response, including OpenIddict's own pages and errors.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IdentityProviderSettings>();
        var policy = ContentSecurityPolicy(settings);

        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
        return app;
    }

    internal static string ContentSecurityPolicy(IdentityProviderSettings settings)
    {
        var scriptHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(FormPostScript)));

        // form-action must list the platform's origins: the login form's POST ends in a redirect chain to
        // {origin}/signin-oidc, and the form_post page posts there directly.
        return string.Join("; ",
            "default-src 'self'",
            $"script-src 'self' 'sha256-{scriptHash}'",
            "frame-ancestors 'none'",
            "form-action 'self' " + string.Join(' ', settings.WebOrigins),
            "base-uri 'self'");
    }
}
