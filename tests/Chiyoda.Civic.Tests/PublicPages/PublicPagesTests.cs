using System.Net;
using System.Net.Http.Json;
using Chiyoda.Civic.Replay;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.PublicPages;

/// <summary>
/// Results night: the public pages render whole whatever order their grain calls complete in, and anonymous reads come
/// from the output cache (per language and query), never for a signed-in reader, and never after a change.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PublicPagesTests(PlatformFixture platform)
{
    private const string EnglishCookie = "__Host-civic-culture=c%3Den%7Cuic%3Den";

    private static Task<string> ShortlistedRoundAsync(HttpClient admin, string roundId) =>
        PlatformVoting.ShortlistedRoundAsync(admin, roundId, "結果の夜テスト", "Results night test");

    private static HttpRequestMessage Get(string url, string? cookie = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return request;
    }

    private static async Task<(HttpResponseMessage Response, string Body)> ReadAsync(HttpClient client, string url, string? cookie = null)
    {
        var response = await client.SendAsync(Get(url, cookie));
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Served from the output cache: the middleware adds the entry's age.</summary>
    private static bool FromCache(HttpResponseMessage response) => response.Headers.Age is not null;

    [Fact]
    public async Task Public_pages_render_whole_whatever_order_their_grain_calls_complete_in()
    {
        // The platform under test delays or completes at once, at random, every call its pages make to this round's
        // grains (Diagnostics:GrainCallJitterKeyPrefix): a page that renders between two awaits with half its fields set
        // shows an error (as the proposals page once did with the round loaded and its categories not).
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ShortlistedRoundAsync(admin, "jitter-" + Guid.NewGuid().ToString("N")[..10]);
        using var anonymous = await platform.ApiClientAsync();
        var pages = new (string Path, string[] Expected)[]
        {
            ($"/rounds/{roundId}/proposals", ["data-testid=\"shortlist\"", "提案 7", "data-testid=\"proposal-count\"", "<option value=\"administration\""]),
            ($"/rounds/{roundId}/proposals/p-003", ["data-testid=\"proposal-title\"", "提案 3", "data-testid=\"proposal-status\""]),
            ($"/rounds/{roundId}", ["結果の夜テスト", "/rounds/" + roundId + "/proposals"]),
            ($"/rounds/{roundId}/results", ["結果の夜テスト", "data-testid=\"results-not-published\""]),
            ("/", ["結果の夜テスト"]),
        };

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        // A distinct query per request, so each one renders (none is answered from the output cache).
        await Parallel.ForEachAsync(Enumerable.Range(0, 160), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, _) =>
        {
            var (path, expected) = pages[n % pages.Length];
            var (response, body) = await ReadAsync(anonymous, $"{path}?race={n}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 400)]}");
            }
            else if (expected.FirstOrDefault(e => !body.Contains(e, StringComparison.Ordinal)) is { } missing)
            {
                failures.Add($"{path}: rendered without {missing}");
            }
        });

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public async Task Anonymous_reads_come_from_the_cache_per_language_and_query()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ShortlistedRoundAsync(admin, RoundSamplesId());
        using var anonymous = await platform.ApiClientAsync();
        foreach (var path in new[] { "/", $"/rounds/{roundId}", $"/rounds/{roundId}/proposals", $"/rounds/{roundId}/proposals/p-002", $"/rounds/{roundId}/results", "/statistics", $"/api/v1/rounds/{roundId}/calendar.ics" })
        {
            var (first, japanese) = await ReadAsync(anonymous, path);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.False(FromCache(first), path + ": the first read cannot come from the cache");
            Assert.Empty(first.Headers.TryGetValues("Set-Cookie", out var set) ? set : []);

            var (second, again) = await ReadAsync(anonymous, path);
            Assert.True(FromCache(second), path + ": the second anonymous read should come from the cache");
            Assert.Equal(japanese, again);

            // A query the page does not read is the same page: it shares the entry (so ?x=1, ?x=2… cannot fill the cache).
            var (junk, junkBody) = await ReadAsync(anonymous, $"{path}?utm_source={Guid.NewGuid():N}");
            Assert.True(FromCache(junk), path + ": a query the page ignores must share the entry");
            Assert.Equal(japanese, junkBody);

            // English is another entry, with English text.
            var (english, englishBody) = await ReadAsync(anonymous, path, EnglishCookie);
            Assert.False(FromCache(english), path + ": English must not be served the Japanese entry");
            var vary = string.Join(", ", first.Headers.Vary);
            if (!path.EndsWith(".ics", StringComparison.Ordinal))
            {
                Assert.Contains("lang=\"ja\"", japanese[..200], StringComparison.Ordinal);
                Assert.Contains("lang=\"en\"", englishBody[..200], StringComparison.Ordinal);
                var (englishAgain, englishAgainBody) = await ReadAsync(anonymous, path, EnglishCookie);
                Assert.True(FromCache(englishAgain), path + ": the English entry should be reused");
                Assert.Equal(englishBody, englishAgainBody);
                // A shared cache in front learns what the page depends on (the language: its cookie or Accept-Language), and
                // that it must ask again each time; a hit says the same as the answer it was stored from.
                foreach (var header in new[] { "Accept-Encoding", "Accept-Language", "Cookie" })
                {
                    Assert.Contains(header, vary, StringComparison.Ordinal);
                }

                Assert.True(first.Headers.CacheControl?.NoCache, path + ": a public page says Cache-Control: no-cache");
                Assert.True(second.Headers.CacheControl?.NoCache, path + ": a cached hit says Cache-Control: no-cache");
            }
            else
            {
                Assert.Equal("Accept-Encoding", vary);
            }
        }

        // The proposals list's own filters are other entries: each filtered list is its own page.
        var list = $"/rounds/{roundId}/proposals";
        var (filtered, filteredBody) = await ReadAsync(anonymous, list + "?q=" + Uri.EscapeDataString("提案 2"));
        Assert.False(FromCache(filtered), "a filtered list must not be served the unfiltered entry");
        var (filteredAgain, _) = await ReadAsync(anonymous, list + "?q=" + Uri.EscapeDataString("提案 2") + "&utm_source=x");
        Assert.True(FromCache(filteredAgain), "the filtered list's entry should be reused, whatever else the query holds");
        Assert.NotEqual((await ReadAsync(anonymous, list)).Body, filteredBody);

        // The cache runs before routing and knows pages by their address: an address shaped like a public page that routing
        // finds to be no page (or no public one) is never stored, so it is rendered anew every time.
        foreach (var path in new[] { $"/rounds/{roundId}/results/extra", $"/rounds/{roundId}/proposals/p-002/", "/rounds/no-such-round" })
        {
            var (first, _) = await ReadAsync(anonymous, path);
            var (second, _) = await ReadAsync(anonymous, path);
            Assert.False(FromCache(first) || FromCache(second), path + ": not a public page, never from the cache");
        }
    }

    [Fact]
    public async Task Signed_in_readers_are_never_served_from_the_cache_nor_stored_in_it()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ShortlistedRoundAsync(admin, RoundSamplesId());
        var page = new Uri(platform.Web, $"/rounds/{roundId}");
        using var anonymous = await platform.ApiClientAsync();

        // A signed-in read first: it must not land in the cache for the anonymous reader after it.
        using var session = new BrowserlessSession();
        await session.SignInAsync(platform.Web, "resident-45", PlatformFixture.DevelopmentPassword, $"/rounds/{roundId}");
        var (signedIn, _) = await session.SendAsync(HttpMethod.Get, page);
        var signedInBody = await signedIn.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains("data-testid=\"signed-in-as\"", signedInBody, StringComparison.Ordinal);

        var (first, firstBody) = await ReadAsync(anonymous, page.PathAndQuery);
        Assert.False(FromCache(first), "an anonymous read after a signed-in one must be rendered, not taken from the signed-in render");
        Assert.DoesNotContain("signed-in-as", firstBody, StringComparison.Ordinal);
        Assert.DoesNotContain("__RequestVerificationToken", firstBody, StringComparison.Ordinal);
        var (second, _) = await ReadAsync(anonymous, page.PathAndQuery);
        Assert.True(FromCache(second));

        // The anonymous entry now exists: a signed-in reader still gets their own page, rendered for them.
        for (var i = 0; i < 2; i++)
        {
            var (again, _) = await session.SendAsync(HttpMethod.Get, page);
            Assert.False(FromCache(again), "a signed-in read must never come from the cache");
            Assert.Contains("data-testid=\"signed-in-as\"", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A bearer token, valid or not, is never answered from the cache either (open data included).
        using var bearer = await platform.ApiClientAsync("resident-45");
        var (withToken, _) = await ReadAsync(bearer, page.PathAndQuery);
        Assert.False(FromCache(withToken));
        var (ics, _) = await ReadAsync(anonymous, $"/api/v1/rounds/{roundId}/calendar.ics");
        (ics, _) = await ReadAsync(anonymous, $"/api/v1/rounds/{roundId}/calendar.ics");
        Assert.True(FromCache(ics));
        var (icsWithToken, _) = await ReadAsync(bearer, $"/api/v1/rounds/{roundId}/calendar.ics");
        Assert.False(FromCache(icsWithToken));

        // A request carrying a sign-in cookie that no longer signs anyone in is not served from the cache either.
        var (staleCookie, _) = await ReadAsync(anonymous, page.PathAndQuery, "__Host-civic=stale");
        Assert.False(FromCache(staleCookie));
    }

    [Fact]
    public async Task A_change_shows_at_once_after_pages_were_cached()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var keys = Enumerable.Range(0, 2).Select(n => $"c{n}{Guid.NewGuid():N}"[..12]).ToArray();
        var roundId = await PaperApi.RoundAsync(admin, keys);
        using (var voter = await platform.ApiClientAsync("voter:" + keys[0]))
        {
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), 1, 2)), 200);
        }

        using var anonymous = await platform.ApiClientAsync();
        var results = $"/rounds/{roundId}/results";
        var round = $"/rounds/{roundId}";
        for (var i = 0; i < 2; i++)
        {
            Assert.Contains("results-not-published", (await ReadAsync(anonymous, results)).Body, StringComparison.Ordinal);
            await ReadAsync(anonymous, round);
        }

        Assert.True(FromCache((await ReadAsync(anonymous, results)).Response));
        var (cachedRound, cachedRoundBody) = await ReadAsync(anonymous, round);
        Assert.True(FromCache(cachedRound));
        Assert.DoesNotContain("改名した回", cachedRoundBody, StringComparison.Ordinal);

        // A schedule edit (here the round's name) evicts the round's pages.
        var snapshot = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}"), 200);
        var schedule = snapshot.GetProperty("schedule");
        string At(string name) => ShortlistThroughScreening.Iso(schedule.GetProperty(name).GetDateTimeOffset());
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}", new
        {
            name = "改名した回",
            schedule = new
            {
                callOpens = At("callOpens"),
                callCloses = At("callCloses"),
                votingOpens = At("votingOpens"),
                votingCloses = At("votingCloses"),
                resultsDue = At("resultsDue"),
            },
        }), 200);
        var (renamed, renamedBody) = await ReadAsync(anonymous, round);
        Assert.False(FromCache(renamed));
        Assert.Contains("改名した回", renamedBody, StringComparison.Ordinal);

        // Close, certify, publish: the cached "not published" page and the open data's 404 give way at once.
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 404, "results-not-published");
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "テスト: 早期締切" }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);

        var (published, publishedBody) = await ReadAsync(anonymous, results);
        Assert.False(FromCache(published));
        Assert.Contains("data-testid=\"results-table\"", publishedBody, StringComparison.Ordinal);
        Assert.DoesNotContain("results-not-published", publishedBody, StringComparison.Ordinal);
        var json = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        Assert.Equal(1, json.GetProperty("totals").GetProperty("voters").GetInt32());

        // Published results are then served from the cache.
        Assert.True(FromCache((await ReadAsync(anonymous, results)).Response));
        Assert.True(FromCache(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results")));
    }

    private static string RoundSamplesId() => Rounds.RoundSamples.NewRoundId();
}
