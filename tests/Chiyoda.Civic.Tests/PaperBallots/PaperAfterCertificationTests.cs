using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using static Chiyoda.Civic.Tests.PaperBallots.PaperApi;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>Paper cast inside the window may be committed after the close, but not after the count is certified.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PaperAfterCertificationTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_batch_keyed_twice_cannot_be_committed_once_the_count_is_certified()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        var voter = "c" + Guid.NewGuid().ToString("N")[..10];
        var roundId = await RoundAsync(admin, voter);
        var batchId = await OpenBatchAsync(clerk, roundId, ballotsInBox: 1);
        var file = Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nCERT-{voter},F01,{Today},{voter},1;2\n");
        await HttpAssertions.JsonAsync(await ImportAsync(clerk, roundId, batchId, file), 200);
        await HttpAssertions.JsonAsync(await ImportAsync(clerk2, roundId, batchId, file), 200);

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "certification test" }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        var commit = await clerk.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}/commit", new { forcedReason = (string?)null });

        await HttpAssertions.ProblemAsync(commit, 409, "count-certified");
        var turnout = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/turnout"), 200);
        Assert.Equal(0, turnout.GetProperty("paperVoters").GetInt32());
    }
}
