using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using static Chiyoda.Civic.Tests.PaperBallots.PaperApi;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>
/// Paper cast inside the window may be committed after the close; certification waits for every batch that holds ballots
/// (else they would be left out for good), and once the count is certified no batch can be committed.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PaperAfterCertificationTests(PlatformFixture platform)
{
    [Fact]
    public async Task Certification_waits_for_a_keyed_batch_and_after_it_no_batch_can_be_committed()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        var voter = "c" + Guid.NewGuid().ToString("N")[..10];
        var late = "c" + Guid.NewGuid().ToString("N")[..10];
        var roundId = await RoundAsync(admin, voter, late);
        var batchId = await OpenBatchAsync(clerk, roundId, ballotsInBox: 1);
        var file = Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nCERT-{voter},F01,{Today},{voter},1;2\n");
        await HttpAssertions.JsonAsync(await ImportAsync(clerk, roundId, batchId, file), 200);
        await HttpAssertions.JsonAsync(await ImportAsync(clerk2, roundId, batchId, file), 200);
        // Opened with a ballot in its box, never keyed: its ballot is not counted either.
        var unkeyed = await OpenBatchAsync(clerk, roundId, ballotsInBox: 1);

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "certification test" }), 200);
        var waiting = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 409, "paper-commit-in-progress");
        Assert.Contains("2 paper batch(es) are not committed yet", waiting.GetProperty("detail").GetString(), StringComparison.Ordinal);

        await CommitAsync(clerk, roundId, batchId);
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 409, "paper-commit-in-progress");
        var lateFile = Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nCERT-{late},F01,{Today},{late},3\n");
        await HttpAssertions.JsonAsync(await ImportAsync(clerk, roundId, unkeyed, lateFile), 200);
        await HttpAssertions.JsonAsync(await ImportAsync(clerk2, roundId, unkeyed, lateFile), 200);
        await CommitAsync(clerk, roundId, unkeyed);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);

        var turnout = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/turnout"), 200);
        Assert.Equal(2, turnout.GetProperty("paperVoters").GetInt32());

        // A batch found after certification: keyed, but it can no longer be committed.
        var found = await OpenBatchAsync(clerk, roundId, ballotsInBox: 1);
        var foundFile = Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nCERT-found-{voter},F01,{Today},{voter},3\n");
        await HttpAssertions.JsonAsync(await ImportAsync(clerk, roundId, found, foundFile), 200);
        await HttpAssertions.JsonAsync(await ImportAsync(clerk2, roundId, found,
            Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nCERT-found-{voter},F01,{Today},{voter},1;3\n")), 200);
        var commit = await clerk.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches/{found}/commit", new { forcedReason = (string?)null });
        await HttpAssertions.ProblemAsync(commit, 409, "count-certified");
        turnout = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/turnout"), 200);
        Assert.Equal(2, turnout.GetProperty("paperVoters").GetInt32());

        // That batch is left in disagreement, a voter key beside two clerks' readings of the marks. Purging the round's
        // ballots forgets them there too: nothing answers a voter key with choices any more.
        var before = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/paper-batches/{found}?take=100"), 200);
        Assert.Contains(Choices(before), c => c.Length > 0);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/purge-ballots", new { }), 200);
        var after = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/paper-batches/{found}?take=100"), 200);
        Assert.All(Choices(after), c => Assert.Equal("", c));
    }

    /// <summary>Every "choices" value anywhere in an answer.</summary>
    private static List<string> Choices(System.Text.Json.JsonElement element)
    {
        var found = new List<string>();
        void Walk(System.Text.Json.JsonElement e)
        {
            if (e.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "choices" && p.Value.ValueKind is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Null)
                    {
                        found.Add(p.Value.GetString() ?? "");
                    }
                    else
                    {
                        Walk(p.Value);
                    }
                }
            }
            else if (e.ValueKind == System.Text.Json.JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray())
                {
                    Walk(item);
                }
            }
        }

        Walk(element);
        return found;
    }
}
