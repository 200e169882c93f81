using System.Net;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.SignIn;

/// <summary>Sign-in over real HTTP on loopback against the development OpenID Connect provider.</summary>
[Collection(PlatformCollection.Name)]
public sealed class SignInTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_provider_publishes_discovery_and_keys()
    {
        using var http = new HttpClient();
        var discovery = await HttpAssertions.JsonAsync(await http.GetAsync(new Uri(platform.IdentityProvider, ".well-known/openid-configuration")), 200);
        var jwks = await HttpAssertions.JsonAsync(await http.GetAsync(discovery.GetProperty("jwks_uri").GetString()), 200);

        Assert.Equal(platform.IdentityProvider.ToString(), discovery.GetProperty("issuer").GetString());
        Assert.Contains(discovery.GetProperty("code_challenge_methods_supported").EnumerateArray(), m => m.GetString() == "S256");
        Assert.NotEmpty(jwks.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task A_resident_signs_in_with_code_and_pkce_into_a_secure_host_cookie()
    {
        using var session = new BrowserlessSession();

        var (response, url) = await session.SignInAsync(platform.Web, "resident-45", PlatformFixture.DevelopmentPassword);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(platform.Web, new Uri(url.GetLeftPart(UriPartial.Authority) + "/"));
        Assert.Contains("区民 四十五歳", html);
        // Authorize is visited twice: before the provider's sign-in form and after it.
        var authorize = session.Visited.First(u => u.AbsolutePath == "/connect/authorize");
        Assert.Contains("code_challenge=", authorize.Query);
        Assert.Contains("code_challenge_method=S256", authorize.Query);
        Assert.Contains("response_type=code", authorize.Query);
        Assert.Contains(session.Visited, u => u.AbsolutePath == "/signin-oidc" && u.Query.Contains("code="));
        var cookie = Assert.Single(session.SetCookieHeaders, h => h.StartsWith("__Host-civic=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_provider()
    {
        using var session = new BrowserlessSession();
        var (response, url) = await session.SignInAsync(platform.Web, "resident-45", "not-the-password");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(platform.IdentityProvider.Port, url.Port);
        Assert.DoesNotContain("__Host-civic", session.Cookies.Keys);
    }

    [Fact]
    public async Task A_signed_in_resident_is_refused_the_administrators_pages_and_an_administrator_is_let_in()
    {
        using var resident = new BrowserlessSession();
        await resident.SignInAsync(platform.Web, "resident-45", PlatformFixture.DevelopmentPassword);
        using var admin = new BrowserlessSession();
        await admin.SignInAsync(platform.Web, "admin", PlatformFixture.DevelopmentPassword);

        var (refused, refusedAt) = await resident.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/admin/rounds"));
        var (allowed, allowedAt) = await admin.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/admin/rounds"));

        Assert.Equal("/access-denied", refusedAt.AbsolutePath);
        // The page says "you may not", and so does the status (not 200); its words are unchanged, in Japanese first.
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var deniedHtml = await refused.Content.ReadAsStringAsync();
        Assert.DoesNotContain("demo-2024", deniedHtml);
        Assert.Contains("アクセスできません", deniedHtml, StringComparison.Ordinal);
        Assert.Contains("このページを表示する権限がありません。", deniedHtml, StringComparison.Ordinal);
        var (english, englishAt) = await resident.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/culture/en?returnUrl=" + Uri.EscapeDataString("/admin/rounds")));
        Assert.Equal("/access-denied", englishAt.AbsolutePath);
        Assert.Equal(HttpStatusCode.Forbidden, english.StatusCode);
        Assert.Contains("You do not have permission to see this page.", await english.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("/admin/rounds", allowedAt.AbsolutePath);
        Assert.Contains("demo-2024", await allowed.Content.ReadAsStringAsync());
        // "/admin" typed by hand is the administrators' home (the rounds), not a "page not found".
        var (home, homeAt) = await admin.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/admin"));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal("/admin", homeAt.AbsolutePath);
        Assert.Contains("demo-2024", await home.Content.ReadAsStringAsync());
        // A round whose vote is ahead with no shortlist says what is still to do; the demo round (ready) does not.
        using var adminApi = await platform.ApiClientAsync("admin");
        var unready = await Chiyoda.Civic.Tests.Proposals.ProposalApiSamples.OpenRoundAsync(adminApi);
        var (list, _) = await admin.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/admin"));
        var html = WebUtility.HtmlDecode(await list.Content.ReadAsStringAsync());
        string Notice(string roundId)
        {
            var start = html.IndexOf($"data-round=\"{roundId}\"", StringComparison.Ordinal);
            return start < 0 ? "" : html[start..html.IndexOf("</div>", start, StringComparison.Ordinal)];
        }

        Assert.Contains("投票対象の提案（候補一覧）の公表", Notice(unready), StringComparison.Ordinal);
        Assert.Equal("", Notice("demo-2024"));
        var (residentHome, residentHomeAt) = await resident.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/admin"));
        Assert.Equal(HttpStatusCode.Forbidden, residentHome.StatusCode);
        Assert.Equal("/access-denied", residentHomeAt.AbsolutePath);
    }

    [Fact]
    public async Task An_anonymous_visitor_to_an_administrators_page_is_sent_to_sign_in()
    {
        using var session = new BrowserlessSession();
        var (_, url) = await session.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/admin/rounds"));
        Assert.Equal(platform.IdentityProvider.Port, url.Port);
        Assert.Equal("/account/login", url.AbsolutePath);
    }

    [Fact]
    public async Task Bearer_tokens_from_the_provider_reach_the_api_and_forged_ones_do_not()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var forged = await platform.ApiClientAsync();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.");

        var asAdmin = await admin.PutAsync("/api/v1/rounds/no-such-round", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var asForged = await forged.PutAsync("/api/v1/rounds/demo-2024", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        // The administrator got past authorization to the round itself (which does not exist).
        await HttpAssertions.ProblemAsync(asAdmin, 404, "round-not-found");
        Assert.Equal(HttpStatusCode.Unauthorized, asForged.StatusCode);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task Return_addresses_off_the_site_are_refused(string returnUrl)
    {
        using var session = new BrowserlessSession();
        var (_, afterSignIn) = await session.SignInAsync(platform.Web, "resident-18", PlatformFixture.DevelopmentPassword, returnUrl);
        var (_, afterLanguage) = await session.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/culture/en?returnUrl=" + Uri.EscapeDataString(returnUrl)));

        Assert.Equal(platform.Web, new Uri(afterSignIn, "/"));
        Assert.Equal("/", afterSignIn.AbsolutePath);
        Assert.Equal(platform.Web, new Uri(afterLanguage, "/"));
        Assert.Equal("/", afterLanguage.AbsolutePath);
    }
}
