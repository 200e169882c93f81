using Chiyoda.Civic.Web.Caching;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// Output caching of the public pages and open data for anonymous readers (results night: thousands of readers of
/// the same few pages). What is cached, for whom and until when: <see cref="PublicCachePolicy"/>, <see cref="PublicCache"/>;
/// eviction when a round or proposal changes: <see cref="PublicCacheEviction"/>. docs/operations.md, "Output cache".
/// </summary>
public static class PublicCacheExtensions
{
    public static WebApplicationBuilder AddCivicPublicCache(this WebApplicationBuilder builder)
    {
        var maxSeconds = builder.Configuration.GetValue(PublicCache.MaxSecondsKey, PublicCache.DefaultMaxSeconds);
        if (maxSeconds < 0)
        {
            throw new InvalidOperationException($"{PublicCache.MaxSecondsKey} must be 0 (no output cache) or more seconds.");
        }

        builder.Services.AddOutputCache(options =>
        {
            options.SizeLimit = builder.Configuration.GetValue("OutputCache:SizeLimitMegabytes", 256L) * 1024 * 1024;
            options.MaximumBodySize = 64 * 1024 * 1024;
        });
        if (maxSeconds > 0)
        {
            builder.Services.AddSingleton<PublicCachePolicy>(services =>
                new(services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>(), TimeSpan.FromSeconds(maxSeconds)));
            builder.Services.AddOptions<Microsoft.AspNetCore.OutputCaching.OutputCacheOptions>()
                .Configure<IServiceProvider>((options, services) => options.AddBasePolicy(services.GetRequiredService<PublicCachePolicy>()));
        }

        // Anonymous reads of public pages get no antiforgery cookie (PublicPageAntiforgery): the framework's one, decorated.
        builder.Services.AddAntiforgery();
        var antiforgery = builder.Services.Last(d => d.ServiceType == typeof(IAntiforgery));
        builder.Services.Remove(antiforgery);
        builder.Services.AddSingleton<IAntiforgery>(services => new PublicPageAntiforgery(antiforgery.ImplementationFactory?.Invoke(services) as IAntiforgery
            ?? antiforgery.ImplementationInstance as IAntiforgery
            ?? (IAntiforgery)ActivatorUtilities.CreateInstance(services, antiforgery.ImplementationType!)));

        // Orleans takes every registered outgoing filter; this one evicts after the commands that change public pages.
        builder.Services.AddSingleton<IOutgoingGrainCallFilter, PublicCacheEviction>();

        if (builder.Environment.IsDevelopment() && builder.Configuration[GrainCallJitter.PrefixKey] is { Length: > 0 } prefix)
        {
            var jitter = builder.Configuration.GetValue(GrainCallJitter.MaxDelayKey, 20);
            // The jitter holds callers' threads while a call completes: enough threads that responses are never starved of one.
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, 128), io);
            builder.Services.AddSingleton<IOutgoingGrainCallFilter>(new GrainCallJitter(prefix, jitter));
        }

        return builder;
    }

    /// <summary>
    /// After localization (the language is part of the key), before authentication, authorization and the request
    /// limits: a hit is answered with only routing, host filtering, the security headers and the language chosen, close
    /// to what a static file costs. That is safe because <see cref="PublicCachePolicy"/> decides "anonymous" from the
    /// request itself (no Authorization header, no sign-in cookie, valid or not) and never from the authenticated user: a
    /// request with credentials is never looked up and goes on through authentication as before, and what it renders is
    /// never stored (the policy checks the user again on the way out). Only 200 answers are stored, so a page that
    /// demands a sign-in (a redirect or 401/403) is never cached for anyone.
    /// </summary>
    public static WebApplication UseCivicPublicCache(this WebApplication app)
    {
        app.UseOutputCache();
        return app;
    }
}
