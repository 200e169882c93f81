using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Chiyoda.Civic.IdentityProvider.Hosting;

public static class AuthenticationExtensions
{
    /// <summary>The provider's session cookie (set by the login page) and the login form's antiforgery.</summary>
    public static WebApplicationBuilder AddProviderCookies(this WebApplicationBuilder builder)
    {
        builder.Services
            .AddAuthentication(ProviderCookies.Scheme)
            .AddCookie(ProviderCookies.Scheme, options =>
            {
                options.Cookie.Name = ProviderCookies.SessionCookieName;
                options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                // Lax: the browser must send it on the top-level redirect from the platform to /connect/authorize.
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.HttpOnly = true;
                options.Cookie.Path = "/";
                options.LoginPath = ProviderCookies.LoginPath;
                options.ReturnUrlParameter = ProviderCookies.ReturnUrlParameter;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            });

        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie = new AlwaysSecureCookieBuilder
            {
                Name = ProviderCookies.AntiforgeryCookieName,
                SameSite = SameSiteMode.Strict,
                HttpOnly = true,
                Path = "/",
                IsEssential = true,
            };
        });
        return builder;
    }

    /// <summary>
    /// Marks the antiforgery cookie Secure (required by its __Host- prefix) even over plain HTTP on loopback.
    /// Setting <see cref="CookieSecurePolicy.Always"/> directly would make the antiforgery service refuse
    /// every non-HTTPS request, and this provider deliberately runs on http://localhost.
    /// </summary>
    private sealed class AlwaysSecureCookieBuilder : CookieBuilder
    {
        public AlwaysSecureCookieBuilder() => SecurePolicy = CookieSecurePolicy.SameAsRequest;

        public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
        {
            var options = base.Build(context, expiresFrom);
            options.Secure = true;
            return options;
        }
    }
}
