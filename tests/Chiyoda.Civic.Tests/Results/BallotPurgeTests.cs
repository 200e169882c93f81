using System.Net.Http.Json;
using System.Text;
using Azure.Data.Tables;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>
/// After certification an administrator purges the voter↔ballot links: the stored ballots go, the anonymised
/// certified ballots stay, and the published count still re-verifies from them.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class BallotPurgeTests(PlatformFixture platform)
{
    [Fact]
    public async Task After_certification_the_purge_removes_every_stored_ballot_and_the_count_still_verifies()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        var keys = Enumerable.Range(0, 4).Select(n => $"pg{n}{Guid.NewGuid():N}"[..12]).ToArray();
        var roundId = await PaperApi.RoundAsync(admin, keys);
        // 7 and 1 lead; no tie at the cut-off of two.
        int[][] online = [[1, 7], [1, 7], [2, 7]];
        for (var i = 0; i < 3; i++)
        {
            using var voter = await platform.ApiClientAsync("voter:" + keys[i]);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "purge-" + i, online[i])), 200);
        }

        var batchId = await PaperApi.OpenBatchAsync(clerk, roundId, 1);
        var file = PaperApi.Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nPG-1,F01,{PaperApi.Today},{keys[3]},4;5\n");
        await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(clerk, roundId, batchId, file), 200);
        await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(clerk2, roundId, batchId, file), 200);
        await PaperApi.CommitAsync(admin, roundId, batchId);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "purge test" }), 200);

        // Not before the count is certified, and never by anyone but an administrator.
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/purge-ballots", new { }), 409, "not-certified");
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);
        foreach (var account in new[] { "clerk", "screener", "voter:" + keys[0] })
        {
            using var other = await platform.ApiClientAsync(account);
            await HttpAssertions.ProblemAsync(await other.PostAsJsonAsync($"/api/v1/rounds/{roundId}/purge-ballots", new { }), 403, "forbidden");
        }

        var table = new TableClient(platform.StorageConnectionString, "CivicBallots");
        var prefix = $"{platform.ServiceId}_{roundId}_";
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix[..^1] + "`"}");
        Assert.Equal(4, await table.QueryAsync<TableEntity>(filter).CountAsync());

        var purge = await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/purge-ballots", new { }), 200);
        Assert.Equal(4, purge.GetProperty("ballotsRemoved").GetInt32());
        var again = await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/purge-ballots", new { }), 200);
        Assert.Equal(purge.GetProperty("at").GetString(), again.GetProperty("at").GetString());

        // Nothing stored links a voter to choices any more; the voter's own ballot is gone too.
        Assert.Equal(0, await table.QueryAsync<TableEntity>(filter).CountAsync());
        using (var voter = await platform.ApiClientAsync("voter:" + keys[0]))
        {
            var own = await voter.GetAsync($"/api/v1/rounds/{roundId}/ballot");
            var body = await own.Content.ReadAsStringAsync();
            Assert.DoesNotContain("\"choices\":[1,7]", body, StringComparison.Ordinal);
        }

        var batch = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}?take=10"), 200);
        Assert.DoesNotContain("4;5", batch.GetRawText(), StringComparison.Ordinal);

        // The count re-verifies from the anonymised ballots the open data holds.
        using var anonymous = await platform.ApiClientAsync();
        var results = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        var ballots = Encoding.UTF8.GetString(await (await anonymous.GetAsync($"/api/v1/rounds/{roundId}/ballots.csv")).Content.ReadAsByteArrayAsync())
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[2]).ToList();
        Assert.Equal(results.GetProperty("totals").GetProperty("voters").GetInt32(), ballots.Count);
        var votes = ballots.SelectMany(b => b.Split(';')).GroupBy(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var proposal in results.GetProperty("proposals").EnumerateArray())
        {
            Assert.Equal(proposal.GetProperty("votes").GetInt32(), votes.GetValueOrDefault(proposal.GetProperty("ballotNumber").GetInt32()));
        }

        // A recount after the purge would find nothing: refused, so no zero count is ever recorded beside the certified one.
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/count", new { }), 409, "ballots-purged");
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync("/api/v1/rounds/no-such-round-x/purge-ballots", new { }), 404, "round-not-found");

        var audit = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/audit?take=200"), 200);
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("action").GetString() == "ballots.purged");
    }
}
