using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Cluster;

/// <summary>
/// Three silo processes (two web front ends and a silo only) on Azure Table clustering: one cluster,
/// one set of grains, one sign-in; and a silo killed with SIGKILL costs no stored data.
/// </summary>
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
