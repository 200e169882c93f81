using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The platform as the run command starts it, on free loopback ports: Azurite, the development
/// identity provider and the web app (with its co-hosted silo), each a real process.
/// </summary>
public class PlatformFixture : IAsyncLifetime
{
    public const string DevelopmentPassword = "chiyoda";

    public PlatformFixture()
        : this("civic-platform-tests")
    {
    }

    protected PlatformFixture(string serviceId) => ServiceId = serviceId;

    /// <summary>The Orleans service id the platform keeps its grain state under (tests that read storage directly).</summary>
    public string ServiceId { get; }

    private readonly int _identityPort = Repository.FreeTcpPort();
    private readonly int _webPort = Repository.FreeTcpPort();
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private readonly SemaphoreSlim _browserLock = new(1, 1);

    public int SpareWebPort { get; } = Repository.ReservedTcpPort();

    public Uri IdentityProvider => new($"http://localhost:{_identityPort}/");

    public Uri Web => new($"http://localhost:{_webPort}/");

    public string StorageConnectionString { get; private set; } = "";

    public ChildProcess IdentityProviderProcess { get; private set; } = null!;

    public ChildProcess WebProcess { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        StorageConnectionString = await Azurite.ConnectionStringAsync();
        IdentityProviderProcess = ChildProcess.Start("identity provider", "dotnet",
            [Repository.ProgramPath("Chiyoda.Civic.IdentityProvider"),
             "--urls", IdentityProvider.ToString().TrimEnd('/'),
             $"--IdentityProvider:Issuer={IdentityProvider}",
             $"--IdentityProvider:WebOrigins:0=http://localhost:{_webPort}",
             $"--IdentityProvider:WebOrigins:1=http://localhost:{SpareWebPort}"],
            Repository.ProjectDirectory("Chiyoda.Civic.IdentityProvider"),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        await IdentityProviderProcess.WaitUntilHealthyAsync(new Uri(IdentityProvider, "health"), TimeSpan.FromSeconds(90));
        WebProcess = await StartWebAsync(_webPort, ServiceId);

        // The first page a process renders compiles the components and activates the demo round's grains: seconds on a
        // loaded machine. Done here, once, so the first browser test's 15 s waits measure the page, not the warm-up.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var home = await http.GetAsync(Web);
        Assert.True(home.IsSuccessStatusCode, $"the home page answered {(int)home.StatusCode} after start-up");
    }

    /// <summary>Starts a web app process; its grain state is kept under the given service id. Extra settings are "--Key=value" arguments.</summary>
    public async Task<ChildProcess> StartWebAsync(int port, string serviceId, params string[] settings)
    {
        var web = ChildProcess.Start($"web :{port}", "dotnet",
            [Repository.ProgramPath("Chiyoda.Civic.Web"),
             "--urls", $"http://localhost:{port}",
             $"--Storage:ConnectionString={StorageConnectionString}",
             $"--Authentication:Authority={IdentityProvider}",
             $"--Orleans:ServiceId={serviceId}",
             $"--Orleans:ClusterId={serviceId}",
             $"--Orleans:SiloPort={Repository.FreeTcpPort()}",
             $"--Orleans:GatewayPort={Repository.FreeTcpPort()}",
             $"--Site:Url=http://localhost:{port}/",
             "--Demo:Enabled=true",
             // The tests' rounds hold a handful of ballots and read their per-ballot files; the minimum (100 by default)
             // is tested on a web process of its own (Results/BallotFileMinimumTests).
             "--OpenData:MinimumBallotsForBallotFile=0",
             // Rounds "jitter-*" answer their pages' grain calls in a random order (PublicPages/PublicPagesTests).
             "--Diagnostics:GrainCallJitterKeyPrefix=jitter-",
             // A kiosk screen that ends a session returns to the neutral one by itself (30 s by default): long enough here
             // that a slow machine's checks of that screen finish first (KioskBrowserTests reads the refresh it asks for).
             "--Kiosk:ReturnToIdleSeconds=600", .. settings],
            Repository.ProjectDirectory("Chiyoda.Civic.Web"),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        try
        {
            await web.WaitUntilHealthyAsync(new Uri($"http://localhost:{port}/health"), TimeSpan.FromSeconds(120));
        }
        catch
        {
            // A web app that never became healthy is stopped here: the fixture never got hold of it to stop later.
            await web.DisposeAsync();
            throw;
        }

        return web;
    }

    /// <summary>
    /// A second web app on the spare port (a web origin the provider knows, so people can sign in there) with email on,
    /// sent to the given receiver, under a fresh service id; as <c>run.sh</c> starts the platform with its mail catcher.
    /// </summary>
    public Task<ChildProcess> StartWebWithEmailAsync(SmtpReceiver smtp, string serviceIdPrefix, params string[] settings) =>
        StartWebAsync(SpareWebPort, serviceIdPrefix + Guid.NewGuid().ToString("N")[..8],
            ["--Email:Smtp:Host=127.0.0.1", $"--Email:Smtp:Port={smtp.Port}", "--Email:Smtp:From=Chiyoda Civic <no-reply@example.jp>",
             "--Email:Smtp:Security=None", .. settings]);

    /// <summary>An access token from the development provider's password grant, as scripts get one.</summary>
    public Task<string> TokenForAsync(string account) => PasswordGrantTokenAsync(IdentityProvider, account);

    /// <summary>An access token from a development provider's password grant (client civic-scripts, scope civic-api).</summary>
    public static async Task<string> PasswordGrantTokenAsync(Uri identityProvider, string account)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(identityProvider, "connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "civic-scripts",
            ["username"] = account,
            ["password"] = DevelopmentPassword,
            ["scope"] = "openid civic-api",
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token request for {account} failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>An API client for the web app, signed in as the account (or anonymous).</summary>
    public async Task<HttpClient> ApiClientAsync(string? account = null, Uri? web = null)
    {
        var client = new HttpClient { BaseAddress = web ?? Web };
        PlatformAccounts.Record(client.BaseAddress, IdentityProvider);
        if (account is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenForAsync(account));
        }

        return client;
    }

    /// <summary>Headless Chromium from Debian, shared by the browser tests; each test takes its own context.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        await _browserLock.WaitAsync();
        try
        {
            if (_browser is null)
            {
                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = "/usr/bin/chromium",
                    Headless = true,
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--no-first-run"],
                });
            }

            return _browser;
        }
        finally
        {
            _browserLock.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        // Either may be missing when start-up failed part way.
        if (WebProcess is not null)
        {
            await WebProcess.DisposeAsync();
        }

        if (IdentityProviderProcess is not null)
        {
            await IdentityProviderProcess.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}

/// <summary>
/// A second platform of its own for the every-page walk in Japanese, the suite's longest class, and the voting
/// journeys: they run beside the other platform tests instead of after them (xunit runs collections in parallel;
/// a collection's classes one after another). The first platform's collection was the suite's longest, ~400 s of
/// browser journeys longer than this one in a timed run, so the voting, kiosk, comment, satisfaction and paper-proposal
/// journeys moved here. Its grain state lives
/// under another service id, so neither sees the other's rounds.
/// </summary>
public sealed class WalkPlatformFixture : PlatformFixture
{
    public WalkPlatformFixture()
        : base("civic-platform-walk")
    {
    }
}

[CollectionDefinition(Name)]
public sealed class WalkPlatformCollection : ICollectionFixture<WalkPlatformFixture>
{
    public const string Name = "platform-walk";
}

/// <summary>
/// A third platform, for the English walk and the longest browser journeys (paper ballots, proposals, implementation, results): xunit
/// runs one collection's classes one after another, so the suite's time is its longest collection's; spreading
/// the browser classes over three platforms keeps each under about seven minutes.
/// </summary>
public sealed class SecondPlatformFixture : PlatformFixture
{
    public SecondPlatformFixture()
        : base("civic-platform-second")
    {
    }
}

[CollectionDefinition(Name)]
public sealed class SecondPlatformCollection : ICollectionFixture<SecondPlatformFixture>
{
    public const string Name = "platform-second";
}

public static class HttpAssertions
{
    /// <summary>Reads a problem details body and returns its stable code, failing with the body if the status differs.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int expectedStatus, string expectedCode)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"expected {expectedStatus}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(expectedCode, problem.GetProperty("code").GetString());
        return problem;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, int expectedStatus)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"expected {expectedStatus}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body);
}
