using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Web.Caching;

/// <summary>
/// Marks a public page whose anonymous GETs may be served from the output cache (<see cref="PublicCachePolicy"/>).
/// The page must not depend on who reads it (no form with an antiforgery token, nothing personal) beyond the
/// language: the policy still refuses any request with a sign-in cookie or bearer token, and any response that sets a cookie.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PublicCacheAttribute : Attribute;

/// <summary>
/// The tags that name what a cached response was made from, and the bound on how long it may be kept. A change made
/// through this process evicts its tags at once (<see cref="PublicCacheEviction"/>); the bound is what limits a
/// stale answer from another front end (each keeps its own cache) or from the clock moving a round into its next phase.
/// </summary>
public static class PublicCache
{
    public const string HomeTag = "civic:home";

    /// <summary>Everything shown about a round: its page, its proposals, its results, its open data and calendar.</summary>
    public static string RoundTag(string roundId) => $"civic:round:{roundId}";

    /// <summary>The round's list of proposals.</summary>
    public static string ProposalsTag(string roundId) => $"civic:proposals:{roundId}";

    public static string ProposalTag(string roundId, string proposalId) => $"civic:proposal:{roundId}:{proposalId}";

    /// <summary>
    /// The ward-wide figures across rounds: 「統計」 (<c>/statistics</c>) and <c>/api/v1/statistics…</c>, <c>proposals.json/.csv</c>,
    /// <c>/api/v1/open-data</c>. Evicted by any round's publication (results grain), proposal, implementation record or path
    /// change, and by a new published satisfaction snapshot (<c>SatisfactionService</c>).
    /// </summary>
    public const string StatisticsTag = "civic:statistics";

    /// <summary>Marks (in <c>HttpContext.Items</c>) an anonymous read of a cacheable public page: <see cref="PublicPageAntiforgery"/> stores no token for it.</summary>
    public const string AnonymousReadKey = "civic:public-anonymous-read";

    /// <summary>Configuration key of the bound, in seconds (default <see cref="DefaultMaxSeconds"/>).</summary>
    public const string MaxSecondsKey = "OutputCache:MaxSeconds";

    public const int DefaultMaxSeconds = 30;

    /// <summary>
    /// Keeps this response no longer than until the next instant of the schedules it shows: a round's phase follows the
    /// clock, and nothing is evicted when a date passes.
    /// </summary>
    public static void ExpireBeforeNextPhase(HttpContext? http, TimeProvider time, params IEnumerable<RoundSchedule> schedules)
    {
        if (http?.Features.Get<IOutputCacheFeature>()?.Context is not { } context)
        {
            return;
        }

        var now = time.GetUtcNow();
        var next = schedules
            .SelectMany(s => new[] { s.CallOpens, s.CallCloses, s.VotingOpens, s.VotingCloses, s.ResultsDue })
            .Where(at => at > now)
            .DefaultIfEmpty(DateTimeOffset.MaxValue)
            .Min();
        if (next == DateTimeOffset.MaxValue)
        {
            return;
        }

        var left = next - now;
        if (context.ResponseExpirationTimeSpan is not { } current || left < current)
        {
            // Storing for less than a second would only churn the cache.
            if (left < TimeSpan.FromSeconds(1))
            {
                context.AllowCacheStorage = false;
            }
            else
            {
                context.ResponseExpirationTimeSpan = left;
            }
        }
    }
}

/// <summary>
/// Output caching of anonymous public reads: the pages marked <see cref="PublicCacheAttribute"/> and the open data of
/// <c>/api/v1/rounds/{roundId}/...</c> (results, results.csv, ballots.csv, ballots.pb, calendar.ics). Varied by the
/// resolved language and the whole query; only GET/HEAD without any sign-in; only 200 responses that set no cookie
/// and are not marked private or no-store; tagged by round (and proposal) for eviction.
/// </summary>
public sealed partial class PublicCachePolicy(IOptionsMonitor<CookieAuthenticationOptions> cookies, TimeSpan maxDuration) : IOutputCachePolicy
{
    [GeneratedRegex(@"^/api/v1/rounds/(?<round>[^/]+)/(results|results\.csv|ballots\.csv|ballots\.pb|calendar\.ics)$", RegexOptions.CultureInvariant)]
    private static partial Regex OpenDataPath();

    [GeneratedRegex(@"^/api/v1/(statistics|statistics\.json|statistics\.csv|proposals\.json|proposals\.csv|open-data)$", RegexOptions.CultureInvariant)]
    private static partial Regex WardOpenDataPath();

    /// <summary>
    /// The addresses of the pages marked <see cref="PublicCacheAttribute"/> (home, round, proposals, a proposal, results). The
    /// cache runs before routing, so a page is recognised by its path here, and stored only if the endpoint routing then
    /// found carries the attribute (<see cref="IOutputCachePolicy.ServeResponseAsync"/>): a path that looks like a public
    /// page but is not one is never stored, so never served from the cache.
    /// </summary>
    [GeneratedRegex(@"^/(rounds/(?<round>[^/]+)(/(?<kind>proposals|results)(/(?<proposal>[^/]+))?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PublicPagePath();

    /// <summary>Marks (in <c>HttpContext.Items</c>) a request whose answer is stored only if its endpoint is a public page.</summary>
    private const string PageCandidateKey = "civic:public-page-candidate";

    /// <summary>
    /// The query keys each cached public read answers to: the proposals list's filters (<c>q</c>, <c>category</c>,
    /// <c>status</c>) and a proposal page's comment message (<c>comment</c>); the other pages and the open data take none. Any
    /// other key is ignored by the page, so it shares the entry of the address without it: <c>?x=1</c>, <c>?x=2</c>… cannot fill
    /// the cache with copies of one page and push the real pages out. A page that reads a new query key must be listed here
    /// (a test compares these with the pages' <c>[SupplyParameterFromQuery]</c> names).
    /// </summary>
    public static readonly string[] ProposalListQueryKeys = ["q", "category", "status"];

    /// <inheritdoc cref="ProposalListQueryKeys"/>
    public static readonly string[] ProposalPageQueryKeys = ["comment"];

    /// <summary>
    /// What a page's answer depends on besides its address: the coding, and the language, chosen by the culture cookie or
    /// else Accept-Language (so Cookie too). The open data is the same in every language: Accept-Encoding only.
    /// </summary>
    private static readonly string PageVary = string.Join(", ", Microsoft.Net.Http.Headers.HeaderNames.AcceptEncoding,
        Microsoft.Net.Http.Headers.HeaderNames.AcceptLanguage, Microsoft.Net.Http.Headers.HeaderNames.Cookie);

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        if (TagsOf(http) is not var (tags, queryKeys))
        {
            return ValueTask.CompletedTask;
        }

        var anonymous = IsAnonymous(http);
        context.EnableOutputCaching = true;
        // A conditional GET of open data is answered by the file itself (Files/Download.cs), not by the cache: the cache's own
        // 304 copies only ETag, Cache-Control, Content-Location, Date, Expires and Vary of the stored answer and drops its
        // Last-Modified, where RFC 9110 §15.4.5 has a 304 carry the validators the 200 would (the document promises both). A
        // revalidation then costs the file's build, as a miss does; a 200 it makes is stored as any other.
        context.AllowCacheLookup = anonymous && (IsPage(http) || !IsConditional(http.Request));
        context.AllowCacheStorage = anonymous;
        // No request coalescing: with it on, every lookup, hits included, goes through the middleware's one dispatcher (a
        // lock and a dictionary insert per request). Profiled at 64 connections on one cached file, that was 23 % of the
        // CPU of a hit (docs/performance.md, "Where a cached hit's time goes"). What it saves is a few renders of a page at
        // once right after an eviction; a page renders in milliseconds from activated grains, so that costs little.
        context.AllowLocking = false;
        context.ResponseExpirationTimeSpan = maxDuration;
        context.CacheVaryByRules.QueryKeys = queryKeys;
        // The language the localization middleware chose (cookie, else Accept-Language): one entry per language, not per header.
        context.CacheVaryByRules.VaryByValues["culture"] = CultureInfo.CurrentUICulture.Name;
        // What is stored is the coded body: downloads compress themselves (Files/Download.cs: the coded bytes are their own
        // representation) and pages and JSON are compressed inside the cache (HttpExtensions.UseCivicCompression), both by
        // the same choice of coding. One entry per coding the client gets (br, gzip, none), never br for a client without it;
        // and every answer says so (Vary), also the identity one, so a shared cache in front keeps them apart too.
        context.CacheVaryByRules.VaryByValues["coding"] = Files.Download.Coding(http.Request) ?? "identity";
        if (IsPage(http))
        {
            http.Response.Headers.Vary = PageVary;
            // A public page says how to keep it: anyone may, but must ask again each time (the page has no validator, and a
            // proposal's status or a round's phase may change at any moment). Set before the page runs (a page that stores
            // an antiforgery token replaces it with no-store, and is then not stored here); kept with the entry, so every hit
            // says the same.
            http.Response.Headers.CacheControl = "no-cache";
        }
        else
        {
            http.Response.Headers.Vary = Microsoft.Net.Http.Headers.HeaderNames.AcceptEncoding;
        }
        foreach (var tag in tags)
        {
            context.Tags.Add(tag);
        }

        if (anonymous)
        {
            http.Items[PublicCache.AnonymousReadKey] = true;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Whether an anonymous read of this request may skip storing its antiforgery token: a public page's, after routing.</summary>
    public static bool IsAnonymousPublicPageRead(HttpContext http) =>
        http.Items.ContainsKey(PublicCache.AnonymousReadKey)
        && (!http.Items.ContainsKey(PageCandidateKey) || http.GetEndpoint()?.Metadata.GetMetadata<PublicCacheAttribute>() is not null);

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        var cacheControl = response.Headers.CacheControl.ToString();
        if (response.StatusCode != StatusCodes.Status200OK
            || response.Headers.SetCookie.Count > 0
            || cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase)
            || cacheControl.Contains("private", StringComparison.OrdinalIgnoreCase)
            || context.HttpContext.User.Identity?.IsAuthenticated == true
            || (context.HttpContext.Items.ContainsKey(PageCandidateKey)
                && context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<PublicCacheAttribute>() is null))
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A page (HTML in the reader's language), not a file of open data: the pages' addresses and 「統計」.</summary>
    private static bool IsPage(HttpContext http) => http.Items.ContainsKey(PageCandidateKey) || http.Request.Path == "/statistics";

    /// <summary>The request asks for the answer only if it changed (If-None-Match or If-Modified-Since).</summary>
    private static bool IsConditional(HttpRequest request) =>
        request.Headers.IfNoneMatch.Count > 0 || request.Headers.IfModifiedSince.Count > 0;

    /// <summary>The request carries no credentials at all: no Authorization header, no sign-in cookie (valid or not), no signed-in user.</summary>
    private bool IsAnonymous(HttpContext http)
    {
        var request = http.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        if (request.Headers.Authorization.Count > 0 || http.User.Identity?.IsAuthenticated == true)
        {
            return false;
        }

        // The sign-in cookie may be split into chunks (name, nameC1, nameC2, ...).
        var signIn = cookies.Get(CookieAuthenticationDefaults.AuthenticationScheme).Cookie.Name ?? ".AspNetCore.Cookies";
        return !request.Cookies.Keys.Any(name => name.StartsWith(signIn, StringComparison.Ordinal)
            && (name.Length == signIn.Length || name.AsSpan(signIn.Length).StartsWith("C")));
    }

    /// <summary>
    /// The tags of a cacheable public read and the query keys its answer depends on, or null when this request is not one.
    /// Runs before routing: by path alone.
    /// </summary>
    private static (List<string> Tags, string[] QueryKeys)? TagsOf(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var openData = OpenDataPath().Match(path);
        if (openData.Success)
        {
            return ([PublicCache.RoundTag(Uri.UnescapeDataString(openData.Groups["round"].Value))], []);
        }

        if (WardOpenDataPath().IsMatch(path) || path == "/statistics")
        {
            return ([PublicCache.StatisticsTag], []);
        }

        var page = PublicPagePath().Match(path);
        if (!page.Success)
        {
            return null;
        }

        http.Items[PageCandidateKey] = true;
        var round = page.Groups["round"];
        var kind = page.Groups["kind"];
        var proposal = page.Groups["proposal"];
        return (round.Success, kind.Value, proposal.Success) switch
        {
            (false, _, _) => ([PublicCache.HomeTag], []),
            (true, "proposals", true) => ([PublicCache.RoundTag(round.Value), PublicCache.ProposalTag(round.Value, proposal.Value)], ProposalPageQueryKeys),
            (true, "proposals", false) => ([PublicCache.RoundTag(round.Value), PublicCache.ProposalsTag(round.Value)], ProposalListQueryKeys),
            // "/rounds/{id}/results/{x}" is no page: routing finds no public endpoint for it, so it is never stored.
            _ => ([PublicCache.RoundTag(round.Value)], []),
        };
    }
}

/// <summary>
/// Evicts the cached public reads a grain command may have changed, right after the command (whether it succeeded or
/// not: a refused command evicts needlessly, which is cheap). Sees every call this process makes, from its pages and
/// API and from grains it hosts, so a change made here shows at once. Only the grains whose state the public pages
/// show; ballots, tallies, the register and paper batches never evict (no totals are public while a vote is open,
/// and a ballot a second must not empty the cache). Reads (<see cref="ReadOnlyAttribute"/>) never evict.
/// </summary>
public sealed class PublicCacheEviction(IOutputCacheStore store, ILogger<PublicCacheEviction> logger) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        finally
        {
            if (TagsChangedBy(context.InterfaceMethod, context.TargetId) is { Count: > 0 } tags)
            {
                foreach (var tag in tags)
                {
                    try
                    {
                        await store.EvictByTagAsync(tag, CancellationToken.None);
                    }
                    catch (Exception e)
                    {
                        // The bound (OutputCache:MaxSeconds) still limits how long a stale page can stay.
                        logger.LogWarning(e, "Evicting {Tag} from the output cache failed", tag);
                    }
                }
            }
        }
    }

    internal static IReadOnlyList<string>? TagsChangedBy(MethodInfo? method, GrainId target)
    {
        if (method is null || method.GetCustomAttribute<ReadOnlyAttribute>() is not null)
        {
            return null;
        }

        var type = method.DeclaringType;
        var key = target.Key.ToString() ?? "";
        var separator = key.IndexOf(':', StringComparison.Ordinal);
        var roundId = separator < 0 ? key : key[..separator];
        if (type == typeof(IRoundDirectoryGrain))
        {
            return [PublicCache.HomeTag];
        }

        if (type == typeof(IRoundGrain) || type == typeof(IScreeningGrain) || type == typeof(IResultsGrain))
        {
            return [PublicCache.HomeTag, PublicCache.RoundTag(roundId), PublicCache.StatisticsTag];
        }

        if (type == typeof(IProposalGrain) && separator > 0)
        {
            return [PublicCache.ProposalsTag(roundId), PublicCache.ProposalTag(roundId, key[(separator + 1)..]), PublicCache.StatisticsTag];
        }

        // An implementation record shows on its proposal's public page (「提案のその後」) and in proposals.csv (its status).
        if (type == typeof(Chiyoda.Civic.Abstractions.Implementation.IImplementationGrain) && separator > 0)
        {
            return [PublicCache.ProposalTag(roundId, key[(separator + 1)..]), PublicCache.StatisticsTag];
        }

        // The path and the records' summaries feed proposals.csv; reading the path (interleaved, not [ReadOnly]) changes nothing.
        if (type == typeof(Chiyoda.Civic.Abstractions.Implementation.IImplementationDirectoryGrain)
            && method.Name is nameof(Chiyoda.Civic.Abstractions.Implementation.IImplementationDirectoryGrain.SetPathAsync)
                or nameof(Chiyoda.Civic.Abstractions.Implementation.IImplementationDirectoryGrain.UpsertAsync))
        {
            return [PublicCache.StatisticsTag];
        }

        // Comments show on their proposal's public page: a new, changed, hidden or restored comment shows at once.
        if (type == typeof(Chiyoda.Civic.Abstractions.Comments.ICommentThreadGrain) && separator > 0)
        {
            return [PublicCache.ProposalTag(roundId, key[(separator + 1)..])];
        }

        if (type == typeof(IProposalIndexGrain))
        {
            return [PublicCache.ProposalsTag(roundId)];
        }

        return null;
    }
}

/// <summary>
/// The page renderer asks for antiforgery tokens on every page (in case a form streams in later), which sets the
/// antiforgery cookie and "Cache-Control: no-cache, no-store" on the response. An anonymous read of a public page
/// (<see cref="PublicCache.AnonymousReadKey"/>) has no form that posts (its filters are GET forms) and shows no token,
/// so for it tokens are made but not stored: no cookie, and the page is the same for every reader. Every other request
/// (a page with a form, anything signed in) is answered by the framework's antiforgery unchanged.
/// </summary>
public sealed class PublicPageAntiforgery(IAntiforgery inner) : IAntiforgery
{
    public AntiforgeryTokenSet GetAndStoreTokens(HttpContext httpContext) =>
        PublicCachePolicy.IsAnonymousPublicPageRead(httpContext) ? inner.GetTokens(httpContext) : inner.GetAndStoreTokens(httpContext);

    public AntiforgeryTokenSet GetTokens(HttpContext httpContext) => inner.GetTokens(httpContext);

    public Task<bool> IsRequestValidAsync(HttpContext httpContext) => inner.IsRequestValidAsync(httpContext);

    public Task ValidateRequestAsync(HttpContext httpContext) => inner.ValidateRequestAsync(httpContext);

    public void SetCookieTokenAndHeader(HttpContext httpContext) => inner.SetCookieTokenAndHeader(httpContext);
}
