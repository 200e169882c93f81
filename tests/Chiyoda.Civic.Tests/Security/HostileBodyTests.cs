using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Security;

/// <summary>Bodies an outside review sent that once crashed into a 500: each is now a 400 with a stable code.</summary>
[Collection(PlatformCollection.Name)]
public sealed class HostileBodyTests(PlatformFixture platform)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Nulls_in_lists_and_dates_at_the_edge_of_the_calendar_are_malformed_requests_not_errors()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        var roundId = await PaperApi.RoundAsync(admin, "hb1");
        var batchId = await PaperApi.OpenBatchAsync(clerk, roundId, 1);

        await HttpAssertions.ProblemAsync(await admin.PostAsync($"/api/v1/rounds/hb-{Guid.NewGuid():N}"[..30], Json(
            """{"name":"x","schedule":{"callOpens":"0001-01-01","callCloses":"0001-01-02","votingOpens":"0001-01-03","votingCloses":"2000-01-01","resultsDue":"2000-01-02"}}""")), 400, "malformed-request");
        await HttpAssertions.ProblemAsync(await clerk.PostAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}/keyings", Json("""{"lines":[null]}""")), 400, "malformed-request");
        await HttpAssertions.ProblemAsync(await admin.PutAsync($"/api/v1/rounds/{roundId}/facilities", Json("[null]")), 400, "malformed-request");
        await HttpAssertions.ProblemAsync(await admin.PutAsync($"/api/v1/rounds/{roundId}/screening", Json("""{"stages":[null]}""")), 400, "malformed-request");
        await HttpAssertions.ProblemAsync(await admin.PutAsync($"/api/v1/rounds/{roundId}/screening", Json("""{"categories":[null]}""")), 400, "malformed-request");

        // The round and its facilities are untouched.
        var facilities = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/facilities"), 200);
        Assert.Equal(2, facilities.GetArrayLength());
    }
}
