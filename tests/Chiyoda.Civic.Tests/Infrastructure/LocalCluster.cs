using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// Three silo processes on free loopback ports forming one cluster through Azure Table clustering in
/// the test Azurite, as tools/cluster.sh starts them: silos 0 and 1 serve the web and API, silo 2 is
/// a silo only. They talk over mutual TLS (<see cref="TestCertificates"/>), share the data-protection
/// key ring (a blob in Azurite, encrypted to a certificate) and the development identity provider.
/// Each silo also opens a gateway, for the tests' Orleans client. Any silo can be SIGKILLed and started again, as a crash and a restart would.
/// </summary>
public sealed class LocalCluster : IAsyncLifetime
{
    public const int Size = 3;
    public const int SiloOnlyIndex = 2;

    private readonly int _identityPort = Repository.FreeTcpPort();
    private readonly Silo[] _silos = Enumerable.Range(0, Size)
        // Reserved ports: a silo restarts on its own ports long after they were chosen (RestartAsync).
        .Select(index => new Silo(index, Repository.ReservedTcpPort(), Repository.ReservedTcpPort(), Repository.ReservedTcpPort()))
        .ToArray();
    private readonly SemaphoreSlim _clientLock = new(1, 1);
    private IHost? _clientHost;

    public string ServiceId { get; } = "civic-cluster-" + Guid.NewGuid().ToString("N")[..8];

    public string ClusterId { get; } = "civic-cluster-tests-" + Guid.NewGuid().ToString("N")[..8];

    public string StorageConnectionString { get; private set; } = "";

    /// <summary>The blob container of the shared data-protection key ring.</summary>
    public string KeyRingContainer => $"keys-{ServiceId}";

    /// <summary>The gateway port of silo <paramref name="index"/>: the tests' client needs one, so the cluster configures it (the platform's default is none).</summary>
    public int GatewayPort(int index) => _silos[index].GatewayPort;

    /// <summary>Where the cluster keeps its membership, grain state and key ring: the shared test Azurite unless a test brings its own (e.g. to pause it).</summary>
    public Func<Task<string>> Storage { get; init; } = Azurite.ConnectionStringAsync;

    /// <summary>More settings for every silo (e.g. the fault cluster's SMTP server), after the cluster's own.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    public Uri IdentityProvider => new($"http://localhost:{_identityPort}/");

    public ChildProcess IdentityProviderProcess { get; private set; } = null!;

    /// <summary>The web address of silo <paramref name="index"/> (a silo-only process answers /health there).</summary>
    public Uri Web(int index) => new($"http://localhost:{_silos[index].WebPort}/");

    public int SiloPort(int index) => _silos[index].SiloPort;

    public ChildProcess Process(int index) => _silos[index].Process ?? throw new InvalidOperationException($"silo {index} was never started");

    public async Task InitializeAsync()
    {
        StorageConnectionString = await Storage();
        IdentityProviderProcess = ChildProcess.Start("identity provider (cluster)", "dotnet",
            [Repository.ProgramPath("Chiyoda.Civic.IdentityProvider"),
             "--urls", IdentityProvider.ToString().TrimEnd('/'),
             $"--IdentityProvider:Issuer={IdentityProvider}",
             .. _silos.Where(s => s.Index != SiloOnlyIndex).Select((s, i) => $"--IdentityProvider:WebOrigins:{i}=http://localhost:{s.WebPort}")],
            Repository.ProjectDirectory("Chiyoda.Civic.IdentityProvider"),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });

        // The first silo creates the membership table; the others then join it together.
        Start(0);
        await IdentityProviderProcess.WaitUntilHealthyAsync(new Uri(IdentityProvider, "health"), TimeSpan.FromSeconds(90));
        await WaitUntilReadyAsync(0);
        Start(1);
        Start(2);
        await Task.WhenAll(WaitUntilReadyAsync(1), WaitUntilReadyAsync(2));
    }

    /// <summary>SIGKILL: the process ends at once, leaving its membership row saying Active, as in a crash.</summary>
    public async Task KillAsync(int index)
    {
        var process = Process(index);
        process.Kill();
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(10)), $"silo {index} did not die");
    }

    /// <summary>Starts silo <paramref name="index"/> again on the same ports (a new generation of the same address) and waits until it is an active member.</summary>
    public async Task RestartAsync(int index)
    {
        if (_silos[index].Process is { HasExited: false })
        {
            await KillAsync(index);
        }

        if (_silos[index].Process is { } old)
        {
            await old.DisposeAsync();
        }

        Start(index);
        await WaitUntilReadyAsync(index);
    }

    /// <summary>The silo index whose silo port is this address's, or -1.</summary>
    public int IndexOf(SiloAddress address) => Array.FindIndex(_silos, s => s.SiloPort == address.Endpoint.Port);

    /// <summary>
    /// An Orleans client that finds the silos' gateways in the same membership table, for what only
    /// the runtime knows (which silos are members, where a grain is active).
    /// </summary>
    public async Task<IClusterClient> ClientAsync()
    {
        await _clientLock.WaitAsync();
        try
        {
            if (_clientHost is null)
            {
                var host = ClientHost(TestCertificates.Silo);
                await host.StartAsync();
                _clientHost = host;
            }

            return _clientHost.Services.GetRequiredService<IClusterClient>();
        }
        finally
        {
            _clientLock.Release();
        }
    }

    /// <summary>
    /// A client host (not started) for the silos' gateways: over mutual TLS with <paramref name="certificate"/>
    /// (trusting only the cluster's certificate), or over plain TCP when it is null. With
    /// <paramref name="connectOnce"/> its start gives up at the first failed connection instead of retrying.
    /// </summary>
    public IHost ClientHost(X509Certificate2? certificate, bool connectOnce = false) => Host.CreateDefaultBuilder()
        // The silos' own output is what explains a failure; the client's connection chatter
        // (every reset after a SIGKILL) would only bury it.
        .ConfigureLogging(logging => logging.ClearProviders())
        .UseOrleansClient(client =>
        {
            client
                .Configure<ClusterOptions>(options =>
                {
                    options.ServiceId = ServiceId;
                    options.ClusterId = ClusterId;
                })
                .UseAzureStorageClustering(options => options.TableServiceClient = new TableServiceClient(StorageConnectionString));
            if (connectOnce)
            {
                client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            }

            if (certificate is not null)
            {
                client.UseTls(certificate, options =>
                {
                    options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    options.RemoteCertificateValidation = (remote, _, _) => remote.Thumbprint == TestCertificates.Silo.Thumbprint;
                });
            }
        })
        .Build();

    /// <summary>An access token from the development provider's password grant.</summary>
    public Task<string> TokenForAsync(string account) => PlatformFixture.PasswordGrantTokenAsync(IdentityProvider, account);

    /// <summary>An API client for front end <paramref name="index"/>, signed in as the account (or anonymous).</summary>
    public async Task<HttpClient> ApiClientAsync(int index, string? account = null)
    {
        var client = new HttpClient { BaseAddress = Web(index), Timeout = TimeSpan.FromSeconds(30) };
        PlatformAccounts.Record(client.BaseAddress, IdentityProvider);
        if (account is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenForAsync(account));
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        if (_clientHost is not null)
        {
            // The client may be waiting for a silo that is gone; do not let that hold up the run.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _clientHost.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }

            _clientHost.Dispose();
        }

        foreach (var silo in _silos)
        {
            if (silo.Process is { } process)
            {
                await process.DisposeAsync();
            }
        }

        await IdentityProviderProcess.DisposeAsync();
    }

    private void Start(int index)
    {
        var silo = _silos[index];
        silo.Process = ChildProcess.Start($"silo {index} :{silo.WebPort}", "dotnet",
            [Repository.ProgramPath("Chiyoda.Civic.Web"),
             "--urls", $"http://localhost:{silo.WebPort}",
             $"--Storage:ConnectionString={StorageConnectionString}",
             $"--Authentication:Authority={IdentityProvider}",
             "--Orleans:Membership=AzureStorage",
             $"--Orleans:ServiceId={ServiceId}",
             $"--Orleans:ClusterId={ClusterId}",
             $"--Orleans:SiloPort={silo.SiloPort}",
             $"--Orleans:GatewayPort={silo.GatewayPort}",
             "--Orleans:AdvertisedIP=127.0.0.1",
             // Mutual TLS between the silos (and for the gateways), with a certificate the tests made.
             $"--Orleans:Tls:CertificatePath={TestCertificates.SiloPath}",
             "--DataProtection:KeyRing=Blob",
             $"--DataProtection:Container={KeyRingContainer}",
             // The key ring's as PEM certificate and key files, the shape of a mounted Kubernetes TLS secret.
             $"--DataProtection:CertificatePath={TestCertificates.KeyRingPem.Certificate}",
             $"--DataProtection:KeyPath={TestCertificates.KeyRingPem.Key}",
             $"--Web:Enabled={index != SiloOnlyIndex}",
             "--Demo:Enabled=false",
             "--Logging:LogLevel:Orleans=Warning",
             .. ExtraArguments],
            Repository.ProjectDirectory("Chiyoda.Civic.Web"),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
    }

    private Task WaitUntilReadyAsync(int index) =>
        Process(index).WaitUntilHealthyAsync(new Uri(Web(index), "health/ready"), TimeSpan.FromSeconds(120));

    private sealed record Silo(int Index, int WebPort, int SiloPort, int GatewayPort)
    {
        public ChildProcess? Process { get; set; }
    }
}
