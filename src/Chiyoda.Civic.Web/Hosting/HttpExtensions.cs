using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// HTTP that every route shares: HEAD answered wherever GET is, and compression of answers that hold no secret
/// (public pages included, compressed once per cache entry, not per request: <see cref="UseCivicCompression"/>).
/// Downloads (open data, calendar, audit log) do their own validators, digests and compression
/// (<see cref="Files.Download"/>), so their ETag and Repr-Digest name the bytes actually sent.
/// </summary>
public static class HttpExtensions
{
    /// <summary>
    /// What the response compression middleware may compress (downloads compress themselves). HTML only for an anonymous
    /// read of a public page (<see cref="PublicOnlyCompression"/>).
    /// </summary>
    public static readonly string[] CompressedMediaTypes =
        ["application/json", "application/problem+json", "text/csv", "text/plain", "text/calendar", "text/html"];

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
    /// Inside the output cache (call it right after <see cref="PublicCacheExtensions.UseCivicPublicCache"/>): a public page
    /// or open-data answer is compressed once, when it is rendered, and the cache keeps the compressed body under the
    /// coding it was made for (<c>PublicCachePolicy</c> varies by <see cref="Files.Download.Coding"/>, the same choice
    /// <see cref="PublicOnlyCompression.GetCompressionProvider"/> makes), so a cache hit costs no compression at all.
    /// Outside the cache, the middleware would compress the stored page again on every hit. WebSocket requests (Blazor's
    /// circuits) pass through untouched: the middleware never wraps an upgraded connection.
    /// </summary>
    public static WebApplication UseCivicCompression(this WebApplication app)
    {
        app.UseResponseCompression();
        return app;
    }

    /// <summary>
    /// Turns HEAD into GET before routing, so every GET endpoint (API, downloads, Blazor pages) answers HEAD with the
    /// same status and headers. Kestrel keeps the request's original method for its own purposes and sends no body
    /// for a HEAD request whatever the handler writes. Must come before routing (<see cref="UseCivicRouting"/>): it is first in the pipeline.
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
        return app;
    }

    /// <summary>
    /// Routing, placed explicitly after the output cache (WebApplication would otherwise put it first): a cached public
    /// page or open-data answer is served without matching a route, which was about a third of a cache hit's CPU when
    /// profiled (docs/performance.md). The cache decides by path and stores only what the endpoint marks public
    /// (<c>PublicCachePolicy</c>); everything after (authentication, authorization, limits, antiforgery) needs the endpoint.
    /// </summary>
    public static WebApplication UseCivicRouting(this WebApplication app)
    {
        app.UseRouting();
        return app;
    }

    /// <summary>
    /// Compression only where it cannot leak a secret (BREACH: the length of a compressed HTTPS response that holds a
    /// secret and text an attacker can influence reveals the secret bit by bit). A request with no Authorization and no
    /// Cookie header gets an answer made for anyone, which holds no secret: public JSON and problem details. An anonymous
    /// read of a public page or open data (<see cref="Caching.PublicCache.AnonymousReadKey"/>: no Authorization, no sign-in
    /// cookie; a language cookie is no credential) is the same page for every reader, the one the output cache stores, with
    /// no antiforgery token: compressed too, HTML included. Any other HTML (signed in, or a page with a form) and anything
    /// asked for with credentials (a voter's receipt, a staff list, antiforgery tokens) is sent as is. Downloads decide
    /// for themselves (they set Repr-Digest, which a compression after them would make wrong, so they are skipped here).
    /// </summary>
    public sealed class PublicOnlyCompression : ResponseCompressionProvider
    {
        private readonly ICompressionProvider _brotli;
        private readonly ICompressionProvider _gzip;

        public PublicOnlyCompression(IServiceProvider services, IOptions<ResponseCompressionOptions> options)
            : base(services, options)
        {
            _brotli = ActivatorUtilities.CreateInstance<BrotliCompressionProvider>(services);
            _gzip = ActivatorUtilities.CreateInstance<GzipCompressionProvider>(services);
        }

        /// <summary>
        /// The coding <see cref="Files.Download.Coding"/> picks (Brotli if accepted at all, else gzip), the one the output
        /// cache varies by: a cached entry is only ever the coding of its key (or identity, which every client takes).
        /// </summary>
        public override ICompressionProvider? GetCompressionProvider(HttpContext context) => Files.Download.Coding(context.Request) switch
        {
            "br" => _brotli,
            "gzip" => _gzip,
            _ => null,
        };

        public override bool ShouldCompressResponse(HttpContext context)
        {
            if (context.Response.Headers.ContainsKey("Repr-Digest") || context.Response.Headers.ContainsKey("Content-Encoding")
                || !base.ShouldCompressResponse(context))
            {
                return false;
            }

            if (context.Items.ContainsKey(Caching.PublicCache.AnonymousReadKey) && context.User.Identity?.IsAuthenticated != true)
            {
                return true;
            }

            return !context.Request.Headers.ContainsKey("Authorization")
                && !context.Request.Headers.ContainsKey("Cookie")
                && !IsHtml(context.Response.ContentType);
        }

        private static bool IsHtml(string? contentType) =>
            contentType is not null && contentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
