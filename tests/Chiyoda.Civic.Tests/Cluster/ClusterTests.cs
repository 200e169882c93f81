using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Cluster;

/// <summary>
/// Three silo processes (two web front ends and a silo only) on Azure Table clustering: one cluster,
/// one set of grains, one sign-in; a silo killed with SIGKILL costs no stored data; silo ports admit
/// only mutual TLS with the cluster's certificate; the shared key ring is stored encrypted.
/// </summary>
/// <remarks>
/// In the fault collection, though it kills only its own silos: its three silos and the fault cluster's then never
/// start at the same time (six silo processes starting at once on 2 cores missed their 2-minute health checks).
/// </remarks>
[Collection(Faults.FaultCollection.Name)]
public sealed partial class ClusterTests(LocalCluster cluster, ITestOutputHelper output) : IClassFixture<LocalCluster>
{
    [Fact]
    public async Task Three_silo_processes_form_one_cluster_with_one_set_of_grains_and_one_sign_in()
    {
        var management = (await cluster.ClientAsync()).GetGrain<IManagementGrain>(0);
        await AssertAllThreeActiveAsync(management);
        Assert.Equal([0, 1, 2], (await management.GetHosts(onlyActive: true)).Keys.Select(cluster.IndexOf).Order());

        // A round created through front end 0 is the same round through front end 1.
        var roundId = RoundSamples.NewRoundId();
        using (var admin = await cluster.ApiClientAsync(0, "admin"))
        {
            await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody("クラスタの募集回")), 201);
        }

        using (var anonymous = await cluster.ApiClientAsync(1))
        {
            var round = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}"), 200);
            Assert.Equal("クラスタの募集回", round.GetProperty("name").GetString());
        }

        // Signed in on front end 0, the cookie is accepted by front end 1 (no trip to the provider),
        // and a form rendered by front end 0 posts to front end 1: they share the key ring.
        using var session = new BrowserlessSession();
        await session.SignInAsync(cluster.Web(0), "admin", PlatformFixture.DevelopmentPassword, "/admin/rounds");
        var visited = session.Visited.Count;
        var (page, at) = await session.SendAsync(HttpMethod.Get, new Uri(cluster.Web(1), "/admin/rounds"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(new Uri(cluster.Web(1), "/admin/rounds"), at);
        Assert.Single(session.Visited.Skip(visited));

        var (home, _) = await session.SendAsync(HttpMethod.Get, cluster.Web(0));
        var token = AntiforgeryField().Match(await home.Content.ReadAsStringAsync());
        Assert.True(token.Success, "no antiforgery token on front end 0's page");
        visited = session.Visited.Count;
        var (signedOut, _) = await session.SendAsync(HttpMethod.Post, new Uri(cluster.Web(1), "/account/logout"),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups["value"].Value) }));
        Assert.True(session.Visited.Count - visited > 1, $"front end 1 refused front end 0's antiforgery token: {(int)signedOut.StatusCode}");

        // The silo-only process hosts grains but serves no pages or API.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(cluster.Web(LocalCluster.SiloOnlyIndex), "/api/v1/rounds"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(cluster.Web(LocalCluster.SiloOnlyIndex), "/health/ready"))).StatusCode);
    }

    [Fact]
    public async Task A_silo_killed_with_sigkill_loses_nothing_the_others_keep_answering_and_it_rejoins()
    {
        var client = await cluster.ClientAsync();
        var management = client.GetGrain<IManagementGrain>(0);
        var roundId = RoundSamples.NewRoundId();
        string stored;
        using (var admin = await cluster.ApiClientAsync(0, "admin"))
        {
            await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody("停止前の募集回")), 201);
            stored = await admin.GetStringAsync($"/api/v1/rounds/{roundId}");
        }

        // The silo to kill is the one where the round is active, so the read below must re-activate it elsewhere.
        var host = await management.GetActivationAddress(client.GetGrain<IRoundGrain>(roundId));
        Assert.NotNull(host);
        var victim = cluster.IndexOf(host);
        var survivors = Enumerable.Range(0, LocalCluster.Size).Where(i => i != victim).ToArray();
        var frontEnds = survivors.Where(i => i != LocalCluster.SiloOnlyIndex).ToArray();
        output.WriteLine($"round {roundId} was active on silo {victim}; killing it");

        var clock = Stopwatch.StartNew();
        await cluster.KillAsync(victim);

        // The surviving processes answer at once.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var survivor in survivors)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(cluster.Web(survivor), "/health"))).StatusCode);
        }

        // Every surviving front end reads the round again (from storage, on a surviving silo) once the
        // cluster has declared the dead silo dead.
        var firstAnswers = new Dictionary<int, TimeSpan>();
        var failures = 0;
        while (firstAnswers.Count < frontEnds.Length)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the round was not readable again within 60 s ({failures} failed reads)");
            foreach (var frontEnd in frontEnds.Where(f => !firstAnswers.ContainsKey(f)))
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(cluster.Web(frontEnd), $"/api/v1/rounds/{roundId}"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Assert.Equal(stored, await response.Content.ReadAsStringAsync());
                        firstAnswers[frontEnd] = clock.Elapsed;
                        continue;
                    }
                }
                catch (TaskCanceledException)
                {
                }

                failures++;
            }

            await Task.Delay(250);
        }

        output.WriteLine($"round readable again after {string.Join(", ", firstAnswers.Select(a => $"front end {a.Key}: {a.Value.TotalSeconds:0.0} s"))}; {failures} failed reads meanwhile");
        var newHost = await management.GetActivationAddress(client.GetGrain<IRoundGrain>(roundId));
        Assert.NotNull(newHost);
        Assert.Contains(cluster.IndexOf(newHost), survivors);

        // New work is taken too.
        using (var admin = await cluster.ApiClientAsync(frontEnds[0], "admin"))
        {
            await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{RoundSamples.NewRoundId()}", RoundSamples.ApiBody("停止後の募集回")), 201);
        }

        // Started again on the same ports, the silo rejoins as a new generation and the cluster has three members again.
        await cluster.RestartAsync(victim);
        await AssertAllThreeActiveAsync(management);
        output.WriteLine($"silo {victim} rejoined {clock.Elapsed.TotalSeconds:0.0} s after it was killed");
    }

    [Fact]
    public async Task Silo_ports_admit_only_mutual_tls_with_the_clusters_certificate()
    {
        // With TLS on, the cluster works: three members, seen through a client that holds the certificate.
        await AssertAllThreeActiveAsync((await cluster.ClientAsync()).GetGrain<IManagementGrain>(0));

        // A silo port completes a TLS handshake with the cluster's certificate, and shows that certificate itself.
        await using (var trusted = await TlsHandshakeAsync(cluster.SiloPort(0), TestCertificates.Silo))
        {
            Assert.True(trusted.IsMutuallyAuthenticated);
            Assert.Equal(TestCertificates.Silo.Thumbprint, trusted.RemoteCertificate!.GetCertHashString());
        }

        // Without a certificate, or with a stranger's (valid, but not the cluster's), every silo port ends the connection.
        for (var index = 0; index < LocalCluster.Size; index++)
        {
            foreach (var certificate in new[] { null, TestCertificates.Stranger })
            {
                var who = certificate is null ? "no certificate" : "a stranger's certificate";
                Assert.True(await IsRefusedAsync(cluster.SiloPort(index), certificate), $"silo {index} kept a TLS connection with {who}");
            }
        }

        // Orleans clients that give up at the first failed connection: with the cluster's certificate one
        // connects and calls a grain; over plain TCP, or over TLS with a stranger's certificate, none does.
        Assert.Null(await GrainCallFailureAsync(TestCertificates.Silo));
        foreach (var certificate in new[] { null, TestCertificates.Stranger })
        {
            var refused = await GrainCallFailureAsync(certificate);
            output.WriteLine($"client with {(certificate is null ? "plain TCP" : "a stranger's certificate")}: {refused?.GetType().Name}: {refused?.Message}");
            Assert.NotNull(refused);
            Assert.IsNotAssignableFrom<OperationCanceledException>(refused);
        }
    }

    /// <summary>Starts a client with <paramref name="certificate"/> (none: plain TCP) and calls a grain: null if that worked, else what stopped it.</summary>
    private async Task<Exception?> GrainCallFailureAsync(X509Certificate2? certificate)
    {
        using var host = cluster.ClientHost(certificate, connectOnce: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var failure = await Record.ExceptionAsync(async () =>
        {
            await host.StartAsync(timeout.Token);
            await host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(timeout.Token);
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Record.ExceptionAsync(() => host.StopAsync(stop.Token));
        return failure;
    }

    [Fact]
    public async Task The_shared_key_ring_is_stored_encrypted_to_the_key_ring_certificate()
    {
        // A sign-in needs the ring's key: the first front end to need one writes it.
        using var session = new BrowserlessSession();
        await session.SignInAsync(cluster.Web(1), "admin", PlatformFixture.DevelopmentPassword, "/admin/rounds");

        var blob = new BlobContainerClient(cluster.StorageConnectionString, cluster.KeyRingContainer).GetBlobClient("keys.xml");
        var ring = (await blob.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("<key ", ring);
        // Each key's secret is XML-encrypted to the certificate; the plain master key is nowhere.
        Assert.Contains("<encryptedSecret", ring);
        Assert.Contains("EncryptedXmlDecryptor", ring);
        Assert.DoesNotContain("masterKey", ring);
    }

    /// <summary>A TLS client handshake with a silo port, presenting <paramref name="certificate"/> (or none); any server certificate is accepted.</summary>
    private static async Task<SslStream> TlsHandshakeAsync(int port, X509Certificate2? certificate)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = certificate is null ? null : [certificate],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, timeout.Token);
        return tls;
    }

    /// <summary>
    /// True when the silo ends the connection: the handshake fails, or (TLS 1.3 checks the client's
    /// certificate after the client has finished) the silo closes it at once. A silo that had admitted
    /// the client would wait for its Orleans preamble instead.
    /// </summary>
    private static async Task<bool> IsRefusedAsync(int port, X509Certificate2? certificate)
    {
        SslStream tls;
        try
        {
            tls = await TlsHandshakeAsync(port, certificate);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return true;
        }

        await using (tls)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                return await tls.ReadAsync(new byte[1], timeout.Token) == 0;
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>Membership news travels by gossip: wait a little for every silo to be listed as active.</summary>
    private static async Task AssertAllThreeActiveAsync(IManagementGrain management)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        int[] active;
        do
        {
            active = [.. (await management.GetHosts(onlyActive: true)).Keys.Select(silo => silo.Endpoint.Port).Order()];
            if (active.Length == LocalCluster.Size)
            {
                return;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"expected {LocalCluster.Size} active silos, found ports {string.Join(", ", active)}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
