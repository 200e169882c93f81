using System.Net;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Deploy;

/// <summary>
/// The other half of <see cref="ProductionSettings"/>: a set of settings it accepts is enough for the
/// platform to start in Production, join a cluster through Azure Table storage and serve a page, so
/// the manifests checked against it really are sufficient.
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
            ["AllowedHosts"] = "127.0.0.1",
            ["Site:Url"] = "https://civic.example.jp/",
        };
        Assert.Empty(ProductionSettings.Problems(ProductionSettings.Normalise(required)));

        var port = Repository.FreeTcpPort();
        var web = ChildProcess.Start("web (production)", "dotnet",
            [Repository.ProgramPath("Chiyoda.Civic.Web"),
             "--urls", $"http://127.0.0.1:{port}",
             .. required.Select(s => $"--{s.Key}={s.Value}"),
             // Where this machine's silo listens: loopback, free ports (a platform sets these for itself).
             $"--Orleans:SiloPort={Repository.FreeTcpPort()}",
             $"--Orleans:GatewayPort={Repository.FreeTcpPort()}",
             "--Orleans:AdvertisedIP=127.0.0.1"],
            Repository.ProjectDirectory("Chiyoda.Civic.Web"),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        await using (web)
        {
            await web.WaitUntilHealthyAsync(new Uri($"http://127.0.0.1:{port}/health/ready"), TimeSpan.FromSeconds(120));
            using var http = new HttpClient();
            using var home = await http.GetAsync($"http://127.0.0.1:{port}/");
            Assert.True(home.StatusCode == HttpStatusCode.OK, $"home page: {(int)home.StatusCode}\n{web.RecentOutput}");
        }
    }
}
