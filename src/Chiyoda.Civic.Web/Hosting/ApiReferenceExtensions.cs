using Scalar.AspNetCore;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// The API reference page (Scalar) over /api/v1/openapi.json, for developers: served in Development only, at
/// <see cref="Path"/>/v1. Elsewhere the path is not mapped at all (404), so production serves the document alone.
/// </summary>
public static class ApiReferenceExtensions
{
    public const string Path = "/scalar";

    public static WebApplication MapCivicApiReference(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            return app;
        }

        // The page starts Scalar with an inline script, which the site's policy (scripts from this origin only) refuses;
        // this page alone, in development alone, may run inline scripts. Everything still loads from this origin.
        var policy = string.Join("; ",
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'");
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(Path))
            {
                context.Response.Headers.ContentSecurityPolicy = policy;
            }

            return next(context);
        });

        app.MapScalarApiReference(Path, options => options
            .WithTitle("Chiyoda Civic API")
            .WithOpenApiRoutePattern("/api/{documentName}/openapi.json")
            .DisableDefaultFonts()
            .AddDocument("v1"));
        return app;
    }
}
