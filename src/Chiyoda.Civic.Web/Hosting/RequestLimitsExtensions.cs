using System.Globalization;
using System.Threading.RateLimiting;
using Chiyoda.Civic.Web.Api;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// What one caller may send: request bodies capped per endpoint (API JSON at <see cref="JsonBodyBytes"/>,
/// file uploads at their own limits), and per-account rate limits on the writes a resident can repeat,
/// so no one account can crowd out the others. Each refusal is a problem response with a stable code
/// (<c>body-too-large</c>, <c>rate-limited</c> with <c>Retry-After</c>).
/// </summary>
public static class RequestLimitsExtensions
{
    /// <summary>Every JSON body the API takes is far smaller (a full proposal is ~40 KB of Japanese text as UTF-8).</summary>
    public const int JsonBodyBytes = 64 * 1024;

    /// <summary>Forms posted by pages (sign-out, language) and anything not in the API: generous, but not Kestrel's 30 MB.</summary>
    public const int OtherBodyBytes = 1024 * 1024;

    /// <summary>Creating proposals: a burst of <c>RateLimits:ProposalCreates</c> (default 30), then one more every 2 minutes.</summary>
    public const string ProposalCreatePolicy = "proposal-create";

    /// <summary>Other repeatable writes (proposal edits, submit, withdraw, inbox marks): a burst of <c>RateLimits:Writes</c> (default 60), then one a second.</summary>
    public const string ResidentWritePolicy = "resident-write";

    /// <summary>The longest request line (method, path, query) the platform takes: Kestrel's own default.</summary>
    public const int RequestLineBytes = 8 * 1024;

    /// <summary>The most header bytes (names and values) the platform takes: Kestrel's own default.</summary>
    public const int HeaderBytes = 32 * 1024;

    /// <summary>What Kestrel itself lets through, so that the two limits above are answered by the platform.</summary>
    public const int ServerRequestLineBytes = 64 * 1024;

    public const int ServerHeaderBytes = 96 * 1024;

    public const string RateLimitedCode = "rate-limited";
    public const string BodyTooLargeCode = "body-too-large";

    public static WebApplicationBuilder AddCivicRequestLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = OtherBodyBytes;
            // Kestrel refuses what is over its own limits with an empty answer before any middleware runs; with room
            // above the platform's limits, a request between the two is refused by RefuseOversizedRequests, in words.
            kestrel.Limits.MaxRequestLineSize = ServerRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = ServerHeaderBytes;
        });
        var creates = builder.Configuration.GetValue("RateLimits:ProposalCreates", 30);
        var writes = builder.Configuration.GetValue("RateLimits:Writes", 60);
        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(ProposalCreatePolicy, context => PerAccount(context, creates, TimeSpan.FromMinutes(2)));
            options.AddPolicy(ResidentWritePolicy, context => PerAccount(context, writes, TimeSpan.FromSeconds(1)));
            options.OnRejected = async (rejected, cancellation) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await ApiProblems.Problem(StatusCodes.Status429TooManyRequests, RateLimitedCode,
                    "Too many requests from this account; wait a moment.", $"Try again in {retryAfter} s.",
                    extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = retryAfter }).ExecuteAsync(rejected.HttpContext);
            };
        });
        return builder;
    }

    /// <summary>
    /// One token bucket per signed-in person ("sub"), whichever front end or token they use; a request
    /// without one (these endpoints all require sign-in, so only a refused one) shares its address's bucket.
    /// </summary>
    private static RateLimitPartition<string> PerAccount(HttpContext context, int burst, TimeSpan perToken) =>
        RateLimitPartition.GetTokenBucketLimiter(
            context.User.FindFirst("sub")?.Value is { Length: > 0 } sub ? "sub:" + sub : "ip:" + context.Connection.RemoteIpAddress,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = perToken,
                QueueLimit = 0,
                AutoReplenishment = true,
            });

    /// <summary>
    /// After authorization, so the partition is the authenticated caller. A JSON body over the endpoint's
    /// cap is refused before a byte of it is parsed. To give the caller the refusal rather than a reset
    /// connection, a body up to <see cref="OtherBodyBytes"/> is read to its end and discarded first (cheap:
    /// nothing is parsed or kept); a larger one gets the refusal and the connection is closed. A body sent
    /// without a length (chunked) is buffered up to the cap, so the endpoint reads it from memory.
    /// </summary>
    /// <summary>
    /// A request line over <see cref="RequestLineBytes"/> (414) or headers over <see cref="HeaderBytes"/> (431): problem
    /// details for the API (<c>uri-too-long</c>, <c>headers-too-large</c>), the status alone (and the site's status page)
    /// elsewhere. Only a request past Kestrel's own, higher limits still gets Kestrel's empty answer.
    /// </summary>
    public static WebApplication RefuseOversizedRequests(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var request = context.Request;
            var refusal = TargetLength(context) + request.Method.Length > RequestLineBytes ? ApiErrors.UriTooLong
                : HeaderLength(request.Headers) > HeaderBytes ? ApiErrors.HeadersTooLarge
                : null;
            if (refusal is null)
            {
                return next(context);
            }

            if (SecurityExtensions.IsApi(request))
            {
                return ApiErrors.Problem(refusal).ExecuteAsync(context);
            }

            context.Response.StatusCode = refusal.Status;
            return Task.CompletedTask;
        });
        return app;
    }

    /// <summary>The request target as sent (escaped), which is what Kestrel's limit counts.</summary>
    private static int TargetLength(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw.Length
            : context.Request.Path.Value!.Length + context.Request.QueryString.Value!.Length;

    private static long HeaderLength(IHeaderDictionary headers)
    {
        long total = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                total += name.Length + (value?.Length ?? 0);
            }
        }

        return total;
    }

    public static WebApplication UseCivicRequestLimits(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is not { MaxRequestBodySize: { } limit }
                || limit > JsonBodyBytes || !HasBody(context.Request))
            {
                await next(context);
                return;
            }

            var declared = context.Request.ContentLength;
            if (declared <= limit)
            {
                // The usual case (a ballot is ~30 bytes): the server holds the body to its declared length.
                await next(context);
                return;
            }

            if (declared > OtherBodyBytes)
            {
                context.Response.Headers.Connection = "close";
                await BodyTooLarge(limit).ExecuteAsync(context);
                return;
            }

            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = OtherBodyBytes;
            }

            var buffer = new MemoryStream();
            try
            {
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
                {
                    // Past the cap the rest is only read to be discarded.
                    if (buffer.Length <= limit)
                    {
                        buffer.Write(chunk, 0, read);
                    }
                }
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                context.Response.Headers.Connection = "close";
                await BodyTooLarge(limit).ExecuteAsync(context);
                return;
            }

            if (buffer.Length > limit)
            {
                await BodyTooLarge(limit).ExecuteAsync(context);
                return;
            }

            buffer.Position = 0;
            context.Request.Body = buffer;
            await next(context);
        });
        app.UseRateLimiter();
        return app;
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult BodyTooLarge(long limit) =>
        ApiErrors.Problem(ApiErrors.BodyTooLarge, $"This endpoint takes at most {limit / 1024} KB.",
            extensions: new Dictionary<string, object?> { ["maxBytes"] = limit });
}
