using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// HTTP that every route shares: HEAD answered wherever GET is, and compression of answers that hold no secret.
/// Downloads (open data, calendar, audit log) do their own validators, digests and compression
/// (<see cref="Files.Download"/>), so their ETag and Repr-Digest name the bytes actually sent.
/// </summary>
public static class HttpExtensions
{
    /// <summary>What the response compression middleware may compress (downloads compress themselves).</summary>
    public static readonly string[] CompressedMediaTypes =
        ["application/json", "application/problem+json", "text/csv", "text/plain", "text/calendar"];

    public static WebApplicationBuilder AddCivicHttp(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        builder.Services.AddResponseCompression(options =>
        {
            // Over HTTPS too, but only for answers to requests that carry no credentials (see PublicOnlyCompression).
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = CompressedMediaTypes;
        });
        builder.Services.AddSingleton<IResponseCompressionProvider, PublicOnlyCompression>();
        return builder;
    }

    /// <summary>
    /// Turns HEAD into GET before routing, so every GET endpoint (API, downloads, Blazor pages) answers HEAD with the
    /// same status and headers. Kestrel keeps the request's original method for its own purposes and sends no body
    /// for a HEAD request whatever the handler writes. Must come before routing: it is first in the pipeline.
    /// </summary>
    public static WebApplication UseCivicHead(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Request.Method = HttpMethods.Get;
            }

            return next(context);
        });
        app.UseResponseCompression();
        // Explicit, so routing runs after the rewrite (WebApplication would otherwise put it first).
        app.UseRouting();
        return app;
    }

    /// <summary>
    /// Compression only where it cannot leak a secret (BREACH: the length of a compressed HTTPS response that holds a
    /// secret and text an attacker can influence reveals the secret bit by bit). A request with no Authorization and no
    /// Cookie header gets an answer made for anyone, which holds no secret: public JSON and problem details. Anything
    /// asked for with credentials (a voter's receipt, a staff list, antiforgery tokens) is sent as is. Downloads decide
    /// for themselves (they set Repr-Digest, which a compression after them would make wrong, so they are skipped here).
    /// </summary>
    public sealed class PublicOnlyCompression(IServiceProvider services, IOptions<ResponseCompressionOptions> options)
        : ResponseCompressionProvider(services, options)
    {
        public override bool ShouldCompressResponse(HttpContext context) =>
            !context.Request.Headers.ContainsKey("Authorization")
            && !context.Request.Headers.ContainsKey("Cookie")
            && !context.Response.Headers.ContainsKey("Repr-Digest")
            && !context.Response.Headers.ContainsKey("Content-Encoding")
            && base.ShouldCompressResponse(context);
    }
}
