using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using static Chiyoda.Civic.Tests.Proposals.ProposalApiSamples;

namespace Chiyoda.Civic.Tests.Notifications;

/// <summary>
/// The platform as <c>run.sh</c> starts it with a mail catcher: the web app with <c>Email:Smtp:*</c> set,
/// the development provider issuing <c>email</c> claims, and an SMTP server on loopback.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class EmailPlatformTests(PlatformFixture platform)
{
    [Fact]
    public async Task Proposers_are_emailed_at_the_address_from_their_sign_in_or_their_token()
    {
        await using var smtp = SmtpReceiver.Start();
        var port = platform.SpareWebPort;
        var web = new Uri($"http://localhost:{port}/");
        var process = await platform.StartWebWithEmailAsync(smtp, "civic-mail-web-", $"--Site:Url={web}");
        try
        {
            // resident-80 signs in on the site: the id token's email claim is recorded against their inbox.
            using (var session = new BrowserlessSession())
            {
                var (signedIn, _) = await session.SignInAsync(web, "resident-80", PlatformFixture.DevelopmentPassword);
                Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            }

            using var admin = await platform.ApiClientAsync("admin", web);
            var roundId = await OpenRoundAsync(admin);

            // Their script's token has no email scope; the address from the sign-in is used.
            using var resident80 = await platform.ApiClientAsync("resident-80", web);
            var first = await HttpAssertions.JsonAsync(await resident80.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", Body("サインインの宛先に届く提案")), 201);
            var firstId = first.GetProperty("proposalId").GetString();
            var toSignedIn = (await smtp.WaitForAsync(r => r.Any(m => m.To.Contains("resident-80@example.jp")))).Single();
            Assert.Equal(["resident-80@example.jp"], toSignedIn.To);
            Assert.StartsWith("「サインインの宛先に届く提案」の状況 / ", toSignedIn.Message.Subject, StringComparison.Ordinal);
            Assert.Contains("提案を受け付けました。", toSignedIn.Text, StringComparison.Ordinal);
            Assert.Contains($"{web}my-proposals/{roundId}/{firstId}", toSignedIn.Text, StringComparison.Ordinal);

            // resident-45 never signed in on the site; their token asked for the email scope, and the API records it.
            using var resident45 = new HttpClient { BaseAddress = web };
            resident45.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenWithEmailAsync("resident-45"));
            await HttpAssertions.JsonAsync(await resident45.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", Body("トークンの宛先に届く提案")), 201);
            var toToken = await smtp.WaitForAsync(r => r.Any(m => m.To.Contains("resident-45@example.jp")));
            Assert.Equal(2, toToken.Count);

            // Without a recorded address (a token without the scope, no sign-in on this site): the inbox only.
            using var resident18 = await platform.ApiClientAsync("resident-18", web);
            await HttpAssertions.JsonAsync(await resident18.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", Body("受信箱だけに届く提案")), 201);
            var inbox = await HttpAssertions.JsonAsync(await resident18.GetAsync("/api/v1/inbox"), 200);
            Assert.Equal(1, inbox.GetArrayLength());
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(2, smtp.Received.Count);
        }
        finally
        {
            process.Kill();
            await process.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_development_provider_gives_the_email_claim_only_with_the_email_scope()
    {
        Assert.Equal("resident-45@example.jp", Claim(await TokenWithEmailAsync("resident-45"), "email"));
        Assert.Equal("voter-d-0001@example.jp", Claim(await TokenWithEmailAsync("voter:d-0001"), "email"));
        Assert.Null(Claim(await platform.TokenForAsync("resident-45"), "email"));
    }

    private async Task<string> TokenWithEmailAsync(string account)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(platform.IdentityProvider, "connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "civic-scripts",
            ["username"] = account,
            ["password"] = PlatformFixture.DevelopmentPassword,
            ["scope"] = "openid email civic-api",
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A claim of a JWT's payload (the token is only read here; the platform validates it).</summary>
    private static string? Claim(string jwt, string name)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
        return json.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }
}
