using Chiyoda.Civic.IdentityProvider.Login;

namespace Chiyoda.Civic.IdentityProvider.Hosting;

public static class EndpointExtensions
{
    /// <summary>
    /// Everything outside OpenIddict: health, stylesheet and login page. The OIDC endpoints themselves are
    /// served by OpenIddict from the authentication middleware.
    /// </summary>
    public static WebApplication MapIdentityProviderEndpoints(this WebApplication app)
    {
        app.MapGet("/health", () => Results.Text("ok"));
        app.MapGet(IdpStylesheet.Path, (HttpContext httpContext) =>
        {
            httpContext.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Text(IdpStylesheet.Css, "text/css; charset=utf-8");
        });
        app.MapLoginEndpoints();
        return app;
    }
}
