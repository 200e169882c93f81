using System.IO.Compression;
using System.Net;
using System.Text;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.PublicPages;

/// <summary>
/// Public pages are sent compressed to anonymous readers who ask (Brotli, else gzip), each coding its own output-cache
/// entry, so a hit is never compressed again and a client is never sent a coding it did not ask for; every answer says
/// <c>Vary: Accept-Encoding</c>. Signed-in pages are never compressed (BREACH) and never come from the cache.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PublicPageCompressionTests(PlatformFixture platform)
{
    private const string EnglishCookie = "__Host-civic-culture=c%3Den%7Cuic%3Den";

    private static async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(HttpClient client, string path, string? acceptEncoding, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private static string Decompress(byte[] bytes, string coding)
    {
        using var input = new MemoryStream(bytes);
        using Stream decompressor = coding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decompressor.CopyTo(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    /// <summary>
    /// The page without the random values of one render (the protected component state and its request token are made
    /// anew each time the page is rendered): two renders of the same page are then equal.
    /// </summary>
    private static string PerRenderValuesOut(string html) => System.Text.RegularExpressions.Regex.Replace(html, "[A-Za-z0-9+/=_-]{40,}", "…");

    private static bool FromCache(HttpResponseMessage response) => response.Headers.Age is not null;

    private static bool VariesByCoding(HttpResponseMessage response) => response.Headers.Vary.Contains("Accept-Encoding", StringComparer.OrdinalIgnoreCase);

    [Fact]
    public async Task A_public_page_is_sent_compressed_when_asked_and_plain_when_not_each_coding_its_own_cache_entry()
    {
        using var anonymous = await platform.ApiClientAsync();
        foreach (var (path, cookie, lang) in new[]
        {
            ($"/rounds/demo-2024/proposals?compression={Guid.NewGuid():N}", (string?)null, "ja"),
            ($"/rounds/demo-2024?compression={Guid.NewGuid():N}", EnglishCookie, "en"),
        })
        {
            // Plain first: the page itself, HTML, and already Vary, since the same URL has compressed answers.
            var (plain, plainBytes) = await GetAsync(anonymous, path, null, cookie);
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
            Assert.Empty(plain.Content.Headers.ContentEncoding);
            Assert.True(VariesByCoding(plain), $"{path}: the plain answer must say Vary: Accept-Encoding");
            var html = Encoding.UTF8.GetString(plainBytes);
            Assert.Contains($"lang=\"{lang}\"", html[..Math.Min(html.Length, 300)], StringComparison.Ordinal);

            // Brotli when asked (br is preferred whenever accepted): the same page in fewer bytes, rendered once, then from the cache.
            var (br, brBytes) = await GetAsync(anonymous, path, "gzip, deflate, br", cookie);
            Assert.Equal(["br"], br.Content.Headers.ContentEncoding);
            Assert.True(VariesByCoding(br));
            Assert.False(FromCache(br), $"{path}: the br entry is its own, not the plain one");
            Assert.Equal(PerRenderValuesOut(html), PerRenderValuesOut(Decompress(brBytes, "br")));
            Assert.True(brBytes.Length * 3 < plainBytes.Length, $"{path}: {brBytes.Length} bytes compressed, {plainBytes.Length} plain");
            var (brAgain, brAgainBytes) = await GetAsync(anonymous, path, "br", cookie);
            Assert.True(FromCache(brAgain), $"{path}: the second br read should come from the cache");
            Assert.Equal(["br"], brAgain.Content.Headers.ContentEncoding);
            Assert.Equal(brBytes, brAgainBytes);

            // With the br entry stored: a client without Brotli gets gzip, never the cached br body; a client asking for
            // none, or not asking, gets the page plain. (Whether these come from the cache or a fresh render depends on
            // the demo rounds' background writes, which evict; the coding must be right either way.)
            var (gzip, gzipBytes) = await GetAsync(anonymous, path, "br;q=0, gzip", cookie);
            Assert.Equal(["gzip"], gzip.Content.Headers.ContentEncoding);
            Assert.Equal(PerRenderValuesOut(html), PerRenderValuesOut(Decompress(gzipBytes, "gzip")));
            foreach (var asked in new[] { "identity", null })
            {
                var (again, againBytes) = await GetAsync(anonymous, path, asked, cookie);
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);
                Assert.Empty(again.Content.Headers.ContentEncoding);
                Assert.True(VariesByCoding(again));
                Assert.Equal(PerRenderValuesOut(html), PerRenderValuesOut(Encoding.UTF8.GetString(againBytes)));
            }
        }
    }

    [Fact]
    public async Task A_signed_in_page_is_never_compressed_nor_served_from_the_cache()
    {
        using var session = new BrowserlessSession();
        await session.SignInAsync(platform.Web, "resident-45", PlatformFixture.DevelopmentPassword, "/rounds/demo-2024");
        using var client = new HttpClient { BaseAddress = platform.Web };
        var cookies = string.Join("; ", session.Cookies.Select(c => $"{c.Key}={c.Value}"));
        var query = $"?compression={Guid.NewGuid():N}";

        // The public page, signed in (an anonymous read of the same URL is cached and compressed first), and a signed-in-only page.
        using var anonymous = await platform.ApiClientAsync();
        await GetAsync(anonymous, "/rounds/demo-2024" + query, "br");
        Assert.True(FromCache((await GetAsync(anonymous, "/rounds/demo-2024" + query, "br")).Response));
        foreach (var path in new[] { "/rounds/demo-2024" + query, "/inbox" + query })
        {
            for (var i = 0; i < 2; i++)
            {
                var (response, bytes) = await GetAsync(client, path, "br, gzip", cookies);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.False(FromCache(response), $"{path}: a signed-in read must never come from the cache");
                Assert.Empty(response.Content.Headers.ContentEncoding);
                Assert.Contains("data-testid=\"signed-in-as\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
            }
        }
    }
}
