using Microsoft.AspNetCore.Diagnostics;

namespace Chiyoda.Civic.Web.Hosting;

public static class SecurityExtensions
{
    /// <summary>
    /// Headers every response carries. MudBlazor writes inline styles (its theme variables), so
    /// style-src allows them; scripts come only from this origin. Forms may post to the identity
    /// provider because signing out redirects there.
    /// </summary>
    public static WebApplication UseCivicSecurityHeaders(this WebApplication app)
    {
        var authority = new Uri(app.Configuration["Authentication:Authority"]!);
        var identityOrigin = authority.GetLeftPart(UriPartial.Authority);
        var policy = string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            $"form-action 'self' {identityOrigin}",
            "frame-ancestors 'none'");

        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            return next(context);
        });
        return app;
    }

    /// <summary>
    /// Detailed errors only in development. Elsewhere pages show the site's own error page and the API
    /// answers with problem details; a bare status (401, 404, ...) gets the same split.
    /// </summary>
    public const int TransientRetryAfterSeconds = 3;

    /// <summary>Failures that pass by themselves: the cluster or storage, not the request.</summary>
    private static bool IsTransient(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or Orleans.Storage.InconsistentStateException
                || inner is Azure.RequestFailedException { Status: 0 or 408 or 429 or >= 500 }
                || inner is System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }

    public static WebApplication UseCivicErrorHandling(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.UseDeveloperExceptionPage();
        }
        else
        {
            app.UseExceptionHandler(errors => errors.Run(async context =>
            {
                if (IsApi(context.Request))
                {
                    await Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Something went wrong on the server.",
                        extensions: new Dictionary<string, object?> { ["code"] = "internal-error" }).ExecuteAsync(context);
                }
                else
                {
                    // The error page is a GET page; re-running a failed POST against it would fail again.
                    context.Response.Redirect("/error");
                }
            }));
        }

        // A silo lost mid-request, a storage outage or a timeout is not the caller's fault and passes:
        // the API says so (503 with Retry-After), in every environment, rather than a bare 500.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (IsApi(context.Request) && !context.Response.HasStarted && IsTransient(e) && !context.RequestAborted.IsCancellationRequested)
            {
                app.Logger.LogWarning(e, "{Method} {Path}: temporarily unavailable", context.Request.Method, context.Request.Path);
                context.Response.Clear();
                context.Response.Headers.RetryAfter = TransientRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Api.ApiErrors.Problem(Api.ApiErrors.TemporarilyUnavailable).ExecuteAsync(context);
            }
        });

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (IsApi(context.Request) && context.Features.Get<IStatusCodePagesFeature>() is { } pagesFeature)
            {
                pagesFeature.Enabled = false;
            }

            return next(context);
        });
        app.UseWhen(context => IsApi(context.Request), api => api.UseStatusCodePages());

        // A query or route value the framework cannot bind (?skip=abc), or a body it cannot read: problem details with a
        // catalogue code and the parameter's name, never the exception (Api/BadRequests.cs). Elsewhere than the API the
        // status alone goes on to the site's status pages (registered before, so they see it), as before.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                app.Logger.LogInformation("{Method} {Path}: refused as a bad request ({Status}): {Reason}", context.Request.Method, context.Request.Path, e.StatusCode, e.Message);
                context.Response.Clear();
                if (IsApi(context.Request))
                {
                    await Api.BadRequests.Problem(context, e).ExecuteAsync(context);
                }
                else
                {
                    context.Response.StatusCode = e.StatusCode;
                }
            }
        });

        // A control character in an address (%01 to %1F, %7F, C1: Kestrel itself refuses %00 with an empty 400 before any of
        // this runs) is answered the same way wherever it stands, rather than as whatever the route it lands on makes of it:
        // problem details for the API, the not-found page (404: no page has such an address) elsewhere.
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            var at = path.AsSpan().IndexOfAny(ControlCharacters);
            if (at < 0)
            {
                return next(context);
            }

            if (!IsApi(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            var message = $"The address holds a control character (U+{(int)path[at]:X4}) at position {at + 1} of its path; send it without control characters.";
            return Api.ApiErrors.Problem(Api.ApiErrors.InvalidAddress, message,
                errors: [new Chiyoda.Civic.Abstractions.Common.ValidationError("path", Api.ApiErrors.InvalidAddress.Code, message)]).ExecuteAsync(context);
        });
        app.RefuseOversizedRequests();
        return app;
    }

    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>C0 controls, DEL and C1 controls.</summary>
    private static readonly System.Buffers.SearchValues<char> ControlCharacters =
        System.Buffers.SearchValues.Create([.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)]);
}
