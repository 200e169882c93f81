using System.Net;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Security;

/// <summary>
/// The Host header is the caller's to choose, so the platform neither answers hosts it was not
/// configured for (AllowedHosts) nor builds absolute links from it: they come from Site:Url.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class HostHeaderTests(PlatformFixture platform)
{
    [Theory]
    [InlineData("/api/v1/rounds/demo-2024/calendar.ics")]
    [InlineData("/api/v1/rounds")]
    [InlineData("/")]
    public async Task A_request_for_a_host_not_allowed_is_refused_and_names_no_url_with_that_host(string path)
    {
        using var response = await SendAsync(path, "evil.example");
        var body = await response.Content.ReadAsStringAsync();
        await HttpAssertions.ProblemAsync(response, 400, "host-not-allowed");
        Assert.DoesNotContain("evil.example", body, StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Location?.Host == "evil.example");
    }

    [Fact]
    public async Task The_calendar_links_to_the_configured_site_whatever_the_hosts_port_says()
    {
        // An allowed host name with another port (or behind a proxy that passes Host through) still gets the site's own address.
        using var response = await SendAsync("/api/v1/rounds/demo-2024/calendar.ics", "localhost:1");
        var calendar = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"URL:{platform.Web}rounds/demo-2024", calendar, StringComparison.Ordinal);
        Assert.Contains("UID:demo-2024-voting@localhost", calendar, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost:1/", calendar, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_probes_are_answered_whatever_the_host_because_kubernetes_sends_the_pod_address()
    {
        using var response = await SendAsync("/health", "10.1.2.3:8080");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string host)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(platform.Web, path));
        request.Headers.Host = host;
        return await http.SendAsync(request);
    }
}
