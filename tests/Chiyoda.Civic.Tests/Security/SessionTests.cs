using System.Net;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Security;

/// <summary>
/// Sessions end on the server at sign-out, the API takes only tokens granted its scope, and requests
/// that once crashed (odd return addresses, tampered sign-in callbacks) are answered 4xx or redirected.
/// Sign-in goes through the development provider with real OpenID Connect.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class SessionTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_copied_session_cookie_stops_working_once_its_owner_signs_out()
    {
        using var session = new BrowserlessSession();
        var (signedIn, at) = await session.SignInAsync(platform.Web, "resident-80", PlatformFixture.DevelopmentPassword, "/inbox");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal("/inbox", at.AbsolutePath);
        var copied = session.Cookies["__Host-civic"];

        // The copy works like the original while the session lives.
        using (var before = await WithCookieAsync(copied, "/inbox"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // Sign out as the page does: its form, with its antiforgery token.
        var (page, _) = await session.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/inbox"));
        var token = AntiforgeryInput().Match(await page.Content.ReadAsStringAsync());
        Assert.True(token.Success, "no antiforgery token on the page");
        await session.SendAsync(HttpMethod.Post, new Uri(platform.Web, "/account/logout"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups["value"].Value),
            ["returnUrl"] = "/",
        }));

        // The copy (still a well-formed, unexpired cookie) is now refused: the page asks to sign in again.
        using var after = await WithCookieAsync(copied, "/inbox");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal(platform.IdentityProvider.Port, after.Headers.Location!.Port);
        Assert.Contains("/connect/authorize", after.Headers.Location.AbsolutePath, StringComparison.Ordinal);
        // ... and is told to forget the cookie.
        Assert.Contains(after.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-civic=;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_api_token_without_the_civic_api_scope_is_refused_with_403_insufficient_scope()
    {
        using var http = new HttpClient();
        using var tokenResponse = await http.PostAsync(new Uri(platform.IdentityProvider, "connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "civic-scripts",
            ["username"] = "admin",
            ["password"] = PlatformFixture.DevelopmentPassword,
            ["scope"] = "openid",
        }));
        var token = System.Text.Json.JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        using var withoutScope = new HttpClient { BaseAddress = platform.Web };
        withoutScope.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var withScope = await platform.ApiClientAsync("admin");

        var refused = await withoutScope.GetAsync("/api/v1/rounds/demo-2024/audit");
        await HttpAssertions.ProblemAsync(refused, 403, "insufficient-scope");
        Assert.Contains("insufficient_scope", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await HttpAssertions.JsonAsync(await withScope.GetAsync("/api/v1/rounds/demo-2024/audit"), 200);
        await HttpAssertions.ProblemAsync(await withoutScope.GetAsync("/api/v1/inbox"), 403, "insufficient-scope");
    }

    [Theory]
    [InlineData("/%E3%80%80/evil.example", "/")]
    [InlineData("/rounds/demo-2024/proposals?search=%E6%8F%90%E6%A1%88", "/rounds/demo-2024/proposals?search=%E6%8F%90%E6%A1%88")]
    [InlineData("/a%E3%80%80b", "/a%E3%80%80b")]
    public async Task Return_addresses_with_characters_a_header_cannot_carry_redirect_instead_of_failing(string returnUrl, string expected)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(new Uri(platform.Web, "/culture/en?returnUrl=" + returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("?state=tampered&code=abc")]
    [InlineData("?code=abc")]
    [InlineData("?error=access_denied&state=tampered")]
    [InlineData("")]
    public async Task A_tampered_sign_in_callback_gets_a_400_page_that_offers_to_sign_in_again(string query)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(new Uri(platform.Web, "/signin-oidc" + query));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ログインできませんでした", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/account/login\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_state_after_a_real_sign_in_start_gets_the_same_page()
    {
        // A real challenge sets the correlation cookie; the callback then brings a state that was altered.
        using var session = new BrowserlessSession();
        var (login, loginUrl) = await session.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/account/login?returnUrl=/"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var authorize = session.Visited.First(u => u.AbsolutePath == "/connect/authorize");
        var state = Regex.Match(authorize.Query, "[?&]state=([^&]+)").Groups[1].Value;
        var (callback, _) = await session.SendAsync(HttpMethod.Get, new Uri(platform.Web, $"/signin-oidc?code=forged&state={state}x"));
        Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode);
        Assert.Contains("Sign-in did not complete", await callback.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(platform.IdentityProvider.Port, loginUrl.Port);
    }

    private async Task<HttpResponseMessage> WithCookieAsync(string cookie, string path)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(platform.Web, path));
        request.Headers.Add("Cookie", "__Host-civic=" + cookie);
        return await http.SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"(?<value>[^\"]*)\"")]
    private static partial Regex AntiforgeryInput();
}
