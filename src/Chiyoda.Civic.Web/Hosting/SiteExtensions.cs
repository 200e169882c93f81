using Chiyoda.Civic.Grains.Notifications;
using Chiyoda.Civic.Web.Api;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Primitives;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// Where the platform is on the web. <c>Site:Url</c> is the one source of absolute addresses (links in
/// emails, the calendar's URL and UID): the request's Host header is the caller's to choose, so nothing
/// the platform writes follows it. <c>AllowedHosts</c> lists the host names the platform answers to;
/// any other Host is refused before it reaches a page or the API.
/// </summary>
public sealed record SiteSettings(Uri Url, IReadOnlyList<string> AllowedHosts)
{
    public const string UrlKey = "Site:Url";
    public const string AllowedHostsKey = "AllowedHosts";

    /// <summary>The address of a path on the site, e.g. <c>/rounds/2024</c>.</summary>
    public Uri Link(string path) => new(Url, path);

    public static SiteSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        // Email:SiteUrl is the older name of the same setting (emails were the first absolute links).
        var url = configuration[UrlKey] is { Length: > 0 } configured ? configured : configuration["Email:SiteUrl"];
        var hosts = (configuration[AllowedHostsKey] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var problems = new List<string>();
        Uri? site = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            problems.Add($"set {UrlKey} to the platform's public address (e.g. https://teian.city.chiyoda.lg.jp/); links in emails and calendars are made from it.");
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out site) || site.Scheme is not ("https" or "http") || site.PathAndQuery != "/")
        {
            problems.Add($"{UrlKey} must be an absolute http(s) address with no path, like https://teian.city.chiyoda.lg.jp/ (it is '{url}').");
        }

        if (hosts.Length == 0)
        {
            problems.Add($"set {AllowedHostsKey} to the host names the platform answers to, separated by ';' (e.g. teian.city.chiyoda.lg.jp).");
        }
        else if (!environment.IsDevelopment() && hosts.Contains("*"))
        {
            problems.Add($"{AllowedHostsKey} must name the platform's host names, not '*' (any Host header would be answered).");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The site is not configured: " + string.Join(" ", problems) + " See docs/operations.md.");
        }

        return new SiteSettings(site!, hosts);
    }
}

public static class SiteExtensions
{
    public const string HostNotAllowedCode = "host-not-allowed";

    public static WebApplicationBuilder AddCivicSite(this WebApplicationBuilder builder)
    {
        var site = SiteSettings.From(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(site);
        // The framework's host filter (also driven by AllowedHosts) has no exception for health probes,
        // which Kubernetes sends to the pod's IP address; ours below has, so the framework's is opened up.
        builder.Services.Configure<HostFilteringOptions>(options => options.AllowedHosts = ["*"]);
        builder.Services.PostConfigure<NoticeEmailOptions>(options => options.SiteUrl = site.Url.ToString());
        return builder;
    }

    /// <summary>Refuses a request whose Host is not one of <c>AllowedHosts</c> (400 <c>host-not-allowed</c>); health probes are exempt.</summary>
    public static WebApplication UseCivicHostFiltering(this WebApplication app)
    {
        var site = app.Services.GetRequiredService<SiteSettings>();
        if (site.AllowedHosts.Contains("*"))
        {
            return app;
        }

        var patterns = site.AllowedHosts.Select(h => new StringSegment(h)).ToList();
        app.Use((context, next) =>
        {
            var host = context.Request.Host;
            if (context.Request.Path.StartsWithSegments("/health")
                || (host.HasValue && HostString.MatchesAny(new StringSegment(host.Host), patterns)))
            {
                return next(context);
            }

            return ApiProblems.Problem(StatusCodes.Status400BadRequest, HostNotAllowedCode,
                "This address is not one the platform answers to.").ExecuteAsync(context);
        });
        return app;
    }
}
