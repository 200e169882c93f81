using System.Net;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Deploy;

/// <summary>
/// The other half of <see cref="ProductionSettings"/>: a set of settings it accepts is enough for the
/// platform to start in Production, join a cluster through Azure Table storage and serve a page, so
/// the manifests checked against it really are sufficient. Started so, it listens on its web and silo
/// ports only: no gateway unless one is configured.
/// </summary>
public sealed class ProductionStartTests
{
    [Fact]
    public async Task The_platform_starts_in_production_with_the_required_settings_and_nothing_more()
    {
        var id = "civic-prod-" + Guid.NewGuid().ToString("N")[..8];
        var required = new Dictionary<string, string>
        {
            ["Storage:ConnectionString"] = await Azurite.ConnectionStringAsync(),
            // Never contacted: the provider is asked only when someone signs in.
            ["Authentication:Authority"] = "https://identity.invalid/",
            ["Authentication:ClientId"] = "civic-web",
            ["Authentication:ClientSecret"] = "secret",
            ["Orleans:Membership"] = "AzureStorage",
            ["Orleans:ServiceId"] = id,
            ["Orleans:ClusterId"] = id,
            ["DataProtection:KeyRing"] = "Blob",
            ["DataProtection:Container"] = "keys-" + id,
            ["Ballots:EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["DataProtection:CertificatePath"] = TestCertificates.KeyRingPath,
            // As an App Service Key Vault reference delivers a Key Vault certificate: base64 PKCS#12.
            ["Orleans:Tls:Certificate"] = Convert.ToBase64String(File.ReadAllBytes(TestCertificates.SiloPath)),
            ["AllowedHosts"] = "127.0.0.1",
            ["Site:Url"] = "https://civic.example.jp/",
        };
        Assert.Empty(ProductionSettings.Problems(ProductionSettings.Normalise(required)));

        var port = Repository.FreeTcpPort();
        var siloPort = Repository.FreeTcpPort();
        var web = ChildProcess.Start("web (production)", "dotnet",
            [Repository.ProgramPath("Chiyoda.Civic.Web"),
             "--urls", $"http://127.0.0.1:{port}",
             .. required.Select(s => $"--{s.Key}={s.Value}"),
             // Where this machine's silo listens: loopback, free ports (a platform sets these for itself).
             $"--Orleans:SiloPort={siloPort}",
             "--Orleans:AdvertisedIP=127.0.0.1"],
            Repository.ProjectDirectory("Chiyoda.Civic.Web"),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        await using (web)
        {
            await web.WaitUntilHealthyAsync(new Uri($"http://127.0.0.1:{port}/health/ready"), TimeSpan.FromSeconds(120));
            using var http = new HttpClient();
            using var home = await http.GetAsync($"http://127.0.0.1:{port}/");
            Assert.True(home.StatusCode == HttpStatusCode.OK, $"home page: {(int)home.StatusCode}\n{web.RecentOutput}");

            // The API reference page is for development only; the document itself is served everywhere.
            using var reference = await http.GetAsync($"http://127.0.0.1:{port}/scalar/v1");
            Assert.Equal(HttpStatusCode.NotFound, reference.StatusCode);
            using var document = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/openapi.json");
            Assert.Equal(HttpStatusCode.OK, document.StatusCode);

            // Bad input is answered in the caller's words here too: a catalogue code, never the exception or a stack trace.
            using var badQuery = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/implementation?year=abc");
            var badQueryBody = await badQuery.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
            Assert.Contains("\"code\":\"invalid-query\"", badQueryBody, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", badQueryBody, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", badQueryBody, StringComparison.Ordinal);

            // It listens on the web port and the silo port, and on nothing else: no gateway unless configured.
            Assert.Equal(new[] { port, siloPort }.Order(), ListeningTcpPorts(web.Id));
        }
    }

    /// <summary>
    /// The TCP ports a process listens on, in order: its sockets' inodes (/proc/PID/fd) looked up among
    /// the listening sockets of /proc/net/tcp and tcp6 (state 0A).
    /// </summary>
    private static List<int> ListeningTcpPorts(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            var target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }

        var ports = new SortedSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == "0A" && inodes.Contains(fields[9]))
                {
                    ports.Add(int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return [.. ports];
    }
}
