using System.Net;
using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;

namespace Chiyoda.Civic.Tests.Platform;

[Collection(PlatformCollection.Name)]
public sealed class PlatformTests(PlatformFixture platform)
{
    [Fact]
    public async Task Pages_carry_the_security_headers()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(platform.Web);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/rounds/demo-2024/proposals")]
    [InlineData("/rounds/demo-2024/proposals/p-001")]
    [InlineData("/api/v1/rounds")]
    [InlineData("/api/v1/no-such-resource")]
    public async Task Every_answer_carries_one_content_security_policy_with_one_frame_ancestors(string path)
    {
        // Blazor's interactive pages would add a policy of their own (frame-ancestors 'self'): a browser then applies
        // both, and a scanner sees two that disagree. One header, one frame-ancestors, the site's.
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(platform.Web, path));

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(policy, "frame-ancestors"));
        Assert.Contains("frame-ancestors 'none'", policy);
    }

    [Fact]
    public async Task The_home_page_answers_in_japanese_by_default_and_in_english_on_request()
    {
        using var http = new HttpClient();
        var japanese = await http.GetStringAsync(platform.Web);
        using var english = new HttpRequestMessage(HttpMethod.Get, platform.Web);
        english.Headers.AcceptLanguage.ParseAdd("en-GB");
        var englishHtml = await (await http.SendAsync(english)).Content.ReadAsStringAsync();

        Assert.Contains("<html lang=\"ja\"", japanese);
        Assert.Contains("デジタル活用提案制度", japanese);
        Assert.Contains("区民投票", japanese);
        Assert.Contains("<html lang=\"en\"", englishHtml);
        Assert.Contains("Resident vote", englishHtml);
    }

    [Fact]
    public async Task An_unknown_page_is_a_404_in_the_sites_own_words()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(platform.Web, "/no-such-page"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("ページが見つかりません", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Storage:ConnectionString")]
    [InlineData("Authentication:Authority")]
    [InlineData("Orleans:Membership")]
    [InlineData("DataProtection:KeyRing")]
    [InlineData("Ballots:EncryptionKey")]
    [InlineData("DataProtection:Certificate")]
    [InlineData("Orleans:Tls:Certificate")]
    [InlineData("AllowedHosts")]
    [InlineData("Site:Url")]
    public async Task Outside_development_the_platform_refuses_to_start_without_its_settings(string missing)
    {
        string[] settings =
        [
            $"--Storage:ConnectionString={platform.StorageConnectionString}",
            $"--Authentication:Authority={platform.IdentityProvider}",
            "--Authentication:ClientId=civic-web",
            "--Authentication:ClientSecret=secret",
            // Without it, Localhost clustering (one machine only) is refused.
            "--Orleans:Membership=AzureStorage",
            // Without it, the per-machine key ring (one front end only) is refused.
            "--DataProtection:KeyRing=Folder",
            $"--DataProtection:Folder={Path.GetTempPath()}",
            // Without it, ballots could not be sealed at rest.
            $"--Ballots:EncryptionKey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}",
            // Without it, the key ring would be stored unencrypted.
            $"--DataProtection:CertificatePath={TestCertificates.KeyRingPath}",
            // Without it, silos would talk plain TCP.
            $"--Orleans:Tls:CertificatePath={TestCertificates.SiloPath}",
            // Without them, the Host header would decide which host the platform answers to and links to.
            "--AllowedHosts=127.0.0.1",
            "--Site:Url=https://civic.example.jp/",
        ];
        var web = ChildProcess.Start("web without " + missing, "dotnet",
            [Repository.ProgramPath("Chiyoda.Civic.Web"), "--urls", $"http://127.0.0.1:{Repository.FreeTcpPort()}",
             .. settings.Where(s => !s.StartsWith("--" + missing, StringComparison.Ordinal))],
            Repository.ProjectDirectory("Chiyoda.Civic.Web"),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        await using (web)
        {
            var exited = await web.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exited, "the platform started without " + missing);
            Assert.Contains(missing, web.RecentOutput);
        }
    }

    [Fact]
    public async Task Everything_stored_is_still_there_after_the_web_app_restarts()
    {
        var serviceId = "civic-restart-" + Guid.NewGuid().ToString("N")[..8];
        var port = platform.SpareWebPort;
        var web = new Uri($"http://localhost:{port}/");
        var roundId = RoundSamples.NewRoundId();
        string before, demoBefore;

        var first = await platform.StartWebAsync(port, serviceId);
        try
        {
            using var admin = await platform.ApiClientAsync("admin", web);
            await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody("再起動前の募集回")), 201);
            before = await admin.GetStringAsync($"/api/v1/rounds/{roundId}");
            demoBefore = await admin.GetStringAsync("/api/v1/rounds/demo-2024");
        }
        finally
        {
            first.Kill();
            await first.DisposeAsync();
        }

        var second = await platform.StartWebAsync(port, serviceId);
        try
        {
            using var anonymous = await platform.ApiClientAsync(web: web);
            Assert.Equal(before, await anonymous.GetStringAsync($"/api/v1/rounds/{roundId}"));
            // The demo round is created once; a restart finds it rather than making it again.
            Assert.Equal(demoBefore, await anonymous.GetStringAsync("/api/v1/rounds/demo-2024"));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
