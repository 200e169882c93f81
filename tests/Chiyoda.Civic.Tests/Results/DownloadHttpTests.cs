using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>
/// HTTP on every download (results JSON, results.csv, ballots.csv, ballots.pb, calendar.ics, audit.csv): HEAD, a strong
/// ETag and Last-Modified with conditional GET, Repr-Digest (RFC 9530) equal to the digests in the results JSON,
/// compression of public files only; HEAD on pages and the API; compression of anonymous API answers only.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DownloadHttpTests(PlatformFixture platform)
{
    [Fact]
    public async Task Every_download_answers_HEAD_and_conditional_GET_with_a_strong_ETag_and_its_Repr_Digest()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PaperApi.CertifiedRoundAsync(platform, admin, "dl", "ダウンロードの検査");
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);

        using var anonymous = await platform.ApiClientAsync();
        var r = $"/api/v1/rounds/{roundId}";
        var results = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"{r}/results"), 200);
        var listed = results.GetProperty("downloads").EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!);
        Assert.Equal(["ballots.csv", "ballots.pb", "results.csv"], listed.Keys.Order());

        foreach (var (path, client, isPublic) in new[]
        {
            ($"{r}/results", anonymous, true), ($"{r}/results.csv", anonymous, true), ($"{r}/ballots.csv", anonymous, true),
            ($"{r}/ballots.pb", anonymous, true), ($"{r}/calendar.ics", anonymous, true), ($"{r}/audit.csv", admin, false),
        })
        {
            using var get = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var body = await get.Content.ReadAsByteArrayAsync();
            var sha256 = SHA256.HashData(body);
            var etag = get.Headers.ETag!;
            Assert.False(etag.IsWeak, path);
            var lastModified = get.Content.Headers.LastModified!.Value;
            Assert.Equal($"sha-256=:{Convert.ToBase64String(sha256)}:", Single(get, "Repr-Digest"));
            Assert.False(get.Headers.Contains("Digest") || get.Content.Headers.Contains("Digest"), $"{path}: the obsolete Digest header");
            if (listed.TryGetValue(path[(path.LastIndexOf('/') + 1)..], out var download))
            {
                Assert.Equal(Convert.ToHexStringLower(sha256), download.GetProperty("sha256").GetString());
                Assert.Equal(Single(get, "Repr-Digest"), download.GetProperty("reprDigest").GetString());
            }

            // HEAD: the same status and headers, no body.
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(etag, head.Headers.ETag);
            Assert.Equal(body.Length, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());

            // Conditional GET: the ETag (also as a weak tag, and among others) or the date gives 304 without a body.
            foreach (var condition in new (string Header, string Value)[]
            {
                ("If-None-Match", etag.Tag), ("If-None-Match", $"\"other\", W/{etag.Tag}"), ("If-Modified-Since", lastModified.ToString("R")),
            })
            {
                using var conditional = await SendAsync(client, path, (condition.Header, condition.Value));
                Assert.True(HttpStatusCode.NotModified == conditional.StatusCode, $"{path} {condition.Header}: {condition.Value} gave {(int)conditional.StatusCode}");
                Assert.Empty(await conditional.Content.ReadAsByteArrayAsync());
                Assert.Equal(etag, conditional.Headers.ETag);
                // RFC 9110 §15.4.5: the 304 carries the validators the 200 did (the output cache's own 304 dropped Last-Modified).
                Assert.True(lastModified == conditional.Content.Headers.LastModified, $"{path} {condition.Header}: Last-Modified {conditional.Content.Headers.LastModified} on the 304");
            }

            foreach (var condition in new (string Header, string Value)[]
            {
                ("If-None-Match", "\"other\""), ("If-Modified-Since", lastModified.AddSeconds(-1).ToString("R")),
                // If-None-Match decides when present, whatever If-Modified-Since says.
            })
            {
                using var changed = await SendAsync(client, path, (condition.Header, condition.Value));
                Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
                Assert.Equal(body, await changed.Content.ReadAsByteArrayAsync());
            }

            using var both = await SendAsync(client, path, ("If-None-Match", "\"other\""), ("If-Modified-Since", lastModified.ToString("R")));
            Assert.Equal(HttpStatusCode.OK, both.StatusCode);

            // Compression: public files in Brotli or gzip, another representation (its own ETag and Repr-Digest); the audit log never.
            foreach (var coding in new[] { "br", "gzip" })
            {
                using var compressed = await SendAsync(client, path, ("Accept-Encoding", coding));
                var sent = await compressed.Content.ReadAsByteArrayAsync();
                if (!isPublic || body.Length <= 256)
                {
                    Assert.Empty(compressed.Content.Headers.ContentEncoding);
                    Assert.Equal(body, sent);
                    continue;
                }

                Assert.Equal([coding], compressed.Content.Headers.ContentEncoding);
                Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
                Assert.Equal(body, Decompress(sent, coding));
                Assert.True(sent.Length < body.Length, $"{path} {coding}: {sent.Length} bytes, not less than {body.Length}");
                Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(sent))}:", Single(compressed, "Repr-Digest"));
                Assert.NotEqual(etag, compressed.Headers.ETag);
                Assert.False(compressed.Headers.ETag!.IsWeak);
                using var revalidated = await SendAsync(client, path, ("Accept-Encoding", coding), ("If-None-Match", compressed.Headers.ETag.Tag));
                Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
            }
        }
    }

    /// <summary>
    /// The ward-wide files and a round's calendar, read once anonymously (so stored in the output cache) and then asked
    /// again with If-None-Match: the 304 carries the ETag and Last-Modified of the 200, as the cached 200 would.
    /// </summary>
    [Theory]
    [InlineData("/api/v1/statistics.csv")]
    [InlineData("/api/v1/statistics.json")]
    [InlineData("/api/v1/proposals.csv")]
    [InlineData("/api/v1/rounds/demo-2024/calendar.ics")]
    public async Task A_304_carries_the_ETag_and_Last_Modified_of_the_200(string path)
    {
        using var anonymous = await platform.ApiClientAsync();
        using var first = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var cached = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        var etag = cached.Headers.ETag!;
        var lastModified = cached.Content.Headers.LastModified!.Value;
        Assert.Equal(first.Headers.ETag, etag);
        Assert.Equal(first.Content.Headers.LastModified, lastModified);

        foreach (var coding in new[] { "identity", "br" })
        {
            using var notModified = await SendAsync(anonymous, path, ("If-None-Match", etag.Tag), ("Accept-Encoding", coding));
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            if (coding == "identity")
            {
                Assert.Equal(etag, notModified.Headers.ETag);
            }

            Assert.True(lastModified == notModified.Content.Headers.LastModified,
                $"{path} ({coding}): Last-Modified {notModified.Content.Headers.LastModified} on the 304, {lastModified:R} on the 200");
        }
    }

    [Fact]
    public async Task Pages_and_the_API_answer_HEAD_and_only_answers_to_anonymous_requests_are_compressed()
    {
        using var anonymous = await platform.ApiClientAsync();
        foreach (var path in new[] { "/", "/rounds/demo-2024", "/rounds/demo-2024/proposals", "/api/v1/rounds", "/api/v1/rounds/demo-2024" })
        {
            using var get = await anonymous.GetAsync(path);
            using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            Assert.True(HttpStatusCode.OK == head.StatusCode, $"HEAD {path}: {(int)head.StatusCode}");
            Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        using var missing = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/rounds/no-such-round"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var plain = await anonymous.GetAsync("/api/v1/rounds");
        var json = await plain.Content.ReadAsByteArrayAsync();
        using var compressed = await SendAsync(anonymous, "/api/v1/rounds", ("Accept-Encoding", "gzip"));
        Assert.Equal(["gzip"], compressed.Content.Headers.ContentEncoding);
        Assert.Equal(JsonDocument.Parse(json).RootElement.GetArrayLength(), JsonDocument.Parse(Decompress(await compressed.Content.ReadAsByteArrayAsync(), "gzip")).RootElement.GetArrayLength());

        // With credentials the answer may hold a secret: sent as is (BREACH).
        using var admin = await platform.ApiClientAsync("admin");
        using var signedIn = await SendAsync(admin, "/api/v1/rounds", ("Accept-Encoding", "gzip, br"));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Empty(signedIn.Content.Headers.ContentEncoding);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, params (string Header, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (header, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        return client.SendAsync(request);
    }

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values : response.Content.Headers.GetValues(header));

    private static byte[] Decompress(byte[] bytes, string coding)
    {
        using var input = new MemoryStream(bytes);
        using Stream decompressor = coding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decompressor.CopyTo(output);
        return output.ToArray();
    }
}
