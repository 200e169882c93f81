using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Results;

[Collection(PlatformCollection.Name)]
public sealed class ResultsApiTests(PlatformFixture platform)
{
    /// <summary>An open round with these adult voters on the register and facilities F01/F02.</summary>
    private async Task<string> RoundWithVotersAsync(HttpClient admin, IEnumerable<string> keys) => await PaperApi.RoundAsync(admin, [.. keys]);

    private static async Task CastAsync(HttpClient voter, string roundId, params int[] choices) =>
        await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), choices)), 200);

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object? body = null) =>
        client.PostAsJsonAsync(url, body ?? new { });

    private async Task<Dictionary<int, int>> CastManyAsync(string roundId, IReadOnlyList<(string Key, int[] Choices)> ballots)
    {
        await Parallel.ForEachAsync(ballots, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (b, _) =>
        {
            using var voter = await platform.ApiClientAsync("voter:" + b.Key);
            await CastAsync(voter, roundId, b.Choices);
        });
        return ballots.SelectMany(b => b.Choices).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
    }

    [Fact]
    public async Task Results_are_hidden_from_everyone_but_administrators_until_published()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var keys = Enumerable.Range(0, 3).Select(n => $"h{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await RoundWithVotersAsync(admin, keys);
        await CastManyAsync(roundId, [(keys[0], [1, 2]), (keys[1], [2]), (keys[2], [3, 2, 1])]);

        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/count"), 409, "not-closed");
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/certify"), 409, "not-closed");
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/publish"), 409, "not-certified");
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/close", new { reason = "" }), 400, "invalid-reason");
        // A close without a body, or not in JSON, is told what is wrong with the body (it was once "no such operation": 404).
        await HttpAssertions.ProblemAsync(await admin.PostAsync($"/api/v1/rounds/{roundId}/close", null), 400, "malformed-request");
        using (var text = new StringContent("早期締切", System.Text.Encoding.UTF8, "text/plain"))
        {
            await HttpAssertions.ProblemAsync(await admin.PostAsync($"/api/v1/rounds/{roundId}/close", text), 415, "unsupported-media-type");
        }

        await HttpAssertions.ProblemAsync(await admin.PostAsync($"/api/v1/rounds/{roundId}/adoption", null), 400, "malformed-request");
        await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/close", new { reason = "テスト: 早期締切" }), 200);
        using (var voter = await platform.ApiClientAsync("voter:" + keys[0]))
        {
            await HttpAssertions.ProblemAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "after-close", 4)), 409, "window-closed");
        }

        await HttpAssertions.ProblemAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/results"), 409, "not-certified");
        var certified = await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/certify"), 200);
        Assert.Equal(3, certified.GetProperty("certified").GetProperty("table").GetProperty("voters").GetInt32());

        foreach (var reader in new string?[] { null, "voter:" + keys[0], "clerk", "screener", "resident-45" })
        {
            using var client = await platform.ApiClientAsync(reader);
            foreach (var file in new[] { "results", "results.csv", "ballots.csv", "ballots.pb" })
            {
                await HttpAssertions.ProblemAsync(await client.GetAsync($"/api/v1/rounds/{roundId}/{file}"), 404, "results-not-published");
            }

            if (reader is not null)
            {
                await HttpAssertions.ProblemAsync(await PostAsync(client, $"/api/v1/rounds/{roundId}/publish"), 403, "forbidden");
            }
        }

        var preview = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        Assert.Equal(3, preview.GetProperty("totals").GetProperty("voters").GetInt32());
        Assert.Equal(6, preview.GetProperty("totals").GetProperty("votes").GetInt32());

        await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/publish"), 200);
        using var anonymous = await platform.ApiClientAsync();
        var published = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        var votes = published.GetProperty("proposals").EnumerateArray().ToDictionary(p => p.GetProperty("ballotNumber").GetInt32(), p => p.GetProperty("votes").GetInt32());
        Assert.Equal(3, votes[2]);
        Assert.Equal(2, votes[1]);
        Assert.Equal(1, votes[3]);
        Assert.Equal([1, 2], published.GetProperty("adoption").GetProperty("adopted").EnumerateArray().Select(e => e.GetInt32()));

        // The audit log has every administrator step, and exports as CSV for administrators only.
        var audit = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/audit?take=100"), 200);
        var actions = audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("register.loaded", actions);
        Assert.Contains("voting.closed-early", actions);
        Assert.Contains("results.counted", actions);
        Assert.Contains("results.certified", actions);
        Assert.Contains("results.published", actions);
        var csv = await (await admin.GetAsync($"/api/v1/rounds/{roundId}/audit.csv")).Content.ReadAsStringAsync();
        Assert.StartsWith("entry_id,at,actor_sub,actor_name,action,subject,before,after,seq,prev_sha256\r\n", csv);
        Assert.Contains("results.published", csv);
        using var clerk = await platform.ApiClientAsync("clerk");
        await HttpAssertions.ProblemAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/audit.csv"), 403, "forbidden");
    }

    [Fact]
    public async Task The_count_equals_the_recount_after_interleaved_online_changes_and_paper_commits()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        var random = new Random(20240805);
        var keys = Enumerable.Range(0, 40).Select(n => $"i{n:00}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await RoundWithVotersAsync(admin, keys);
        int[] RandomBallot() => [.. Enumerable.Range(1, 7).OrderBy(_ => random.Next()).Take(random.Next(1, 4))];

        // Online voters change their ballots while paper batches (some of the same voters) are keyed and committed.
        var final = new Dictionary<string, int[]>();
        var online = keys.Select(k => (Key: k, Ballots: Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomBallot()).ToList())).ToList();
        var paperKeys = keys.Where((_, i) => i % 3 == 0).ToList();
        var paperBallots = paperKeys.Select(k => (Key: k, Choices: RandomBallot())).ToList();
        var onlineTask = Parallel.ForEachAsync(online, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (v, _) =>
        {
            using var voter = await platform.ApiClientAsync("voter:" + v.Key);
            foreach (var ballot in v.Ballots)
            {
                var response = await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), ballot));
                Assert.True(response.IsSuccessStatusCode || (int)response.StatusCode == 409, await response.Content.ReadAsStringAsync());
            }
        });
        var paperTask = Task.Run(async () =>
        {
            foreach (var (chunk, n) in paperBallots.Chunk(5).Select((c, n) => (c, n)))
            {
                var file = "ballot_serial,facility,cast_date,voter_key,choices\n" + string.Join('\n',
                    chunk.Select((b, i) => $"R{n:00}{i:00}{roundId[^6..]},F01,{PaperApi.Today},{b.Key},{string.Join(';', b.Choices)}")) + "\n";
                var batchId = await PaperApi.OpenBatchAsync(clerk, roundId, chunk.Length);
                await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(clerk, roundId, batchId, PaperApi.Utf8(file)), 200);
                await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(clerk2, roundId, batchId, PaperApi.Utf8(file)), 200);
                await PaperApi.CommitAsync(clerk, roundId, batchId);
            }
        });
        await Task.WhenAll(onlineTask, paperTask);

        foreach (var v in online)
        {
            final[v.Key] = [.. v.Ballots[^1].Order()];
        }

        foreach (var p in paperBallots)
        {
            final[p.Key] = [.. p.Choices.Order()];
        }

        await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/close", new { reason = "interleaving test" }), 200);
        var count = await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/count"), 200);
        Assert.Equal(0, count.GetProperty("differences").GetArrayLength());
        var recount = count.GetProperty("recount");
        Assert.Equal(paperBallots.Count, recount.GetProperty("paperVoters").GetInt32());
        Assert.Equal(keys.Count - paperBallots.Count, recount.GetProperty("onlineVoters").GetInt32());
        var expected = final.Values.SelectMany(c => c).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        foreach (var p in recount.GetProperty("proposals").EnumerateArray())
        {
            Assert.Equal(expected.GetValueOrDefault(p.GetProperty("ballotNumber").GetInt32()), p.GetProperty("votes").GetInt32());
        }
    }

    /// <summary>Asks for a step with "Prefer: respond-async": 202 with where to ask and when, then polls there until the answer.</summary>
    private static async Task<HttpResponseMessage> RespondAsyncAsync(HttpClient admin, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { }) };
        request.Headers.Add("Prefer", "respond-async");
        var accepted = await admin.SendAsync(request);
        var status = await HttpAssertions.JsonAsync(accepted, 202);
        Assert.Equal("5", accepted.Headers.GetValues("Retry-After").Single());
        var location = accepted.Headers.Location!.ToString();
        Assert.EndsWith($"/counting/operations/{url[(url.LastIndexOf('/') + 1)..]}", location);
        Assert.Contains(status.GetProperty("status").GetString(), new[] { "running", "done" });
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var answer = await admin.GetAsync(location);
            if (answer.StatusCode != System.Net.HttpStatusCode.Accepted || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_count_and_a_certification_run_apart_from_the_request_and_answer_at_their_status_location()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var keys = Enumerable.Range(0, 3).Select(n => $"a{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await RoundWithVotersAsync(admin, keys);
        await CastManyAsync(roundId, [(keys[0], [1, 2]), (keys[1], [2]), (keys[2], [3, 2, 1])]);

        // Refusals come at the status location too, with their own code; nothing was counted.
        await HttpAssertions.ProblemAsync(await RespondAsyncAsync(admin, $"/api/v1/rounds/{roundId}/count"), 409, "not-closed");
        await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/close", new { reason = "非同期の集計" }), 200);

        var count = await HttpAssertions.JsonAsync(await RespondAsyncAsync(admin, $"/api/v1/rounds/{roundId}/count"), 200);
        Assert.Equal(0, count.GetProperty("differences").GetArrayLength());
        Assert.Equal(3, count.GetProperty("recount").GetProperty("onlineVoters").GetInt32());
        Assert.Equal(6, count.GetProperty("recount").GetProperty("votes").GetInt32());

        var certified = await HttpAssertions.JsonAsync(await RespondAsyncAsync(admin, $"/api/v1/rounds/{roundId}/certify"), 200);
        Assert.Equal(3, certified.GetProperty("certified").GetProperty("table").GetProperty("voters").GetInt32());

        // The finished answer stays readable; unknown operations and rounds are refused with a code.
        var again = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/counting/operations/certify"), 200);
        Assert.Equal(certified.GetProperty("certified").GetProperty("countId").GetString(), again.GetProperty("certified").GetProperty("countId").GetString());
        await HttpAssertions.ProblemAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/counting/operations/publish"), 404, "operation-not-found");
        await HttpAssertions.ProblemAsync(await admin.GetAsync($"/api/v1/rounds/no-such-{roundId}/counting/operations/count"), 404, "round-not-found");
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/no-such-{roundId}/count"), 404, "round-not-found");
        using var anonymous = await platform.ApiClientAsync();
        Assert.Equal(401, (int)(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/counting/operations/count")).StatusCode);
    }

    [Fact]
    public async Task Certification_is_refused_while_the_recount_differs_from_the_live_tally()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var keys = Enumerable.Range(0, 3).Select(n => $"m{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await RoundWithVotersAsync(admin, keys);
        await CastManyAsync(roundId, [(keys[0], [1, 2]), (keys[1], [2]), (keys[2], [3])]);
        await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/close", new { reason = "mismatch test" }), 200);

        // Inject a difference: change one stored ballot behind the platform's back.
        // Where BallotTable keeps a ballot: table CivicBallots, partition "{serviceId}_{roundId}_{shard:00}", row the voter key.
        var table = new TableClient(platform.StorageConnectionString, "CivicBallots");
        var partition = $"{platform.ServiceId}_{roundId}_{ShardHash.Shard(keys[1], TallySharding.ShardCount):00}";
        var entity = (await table.GetEntityAsync<TableEntity>(partition, keys[1])).Value;
        var original = entity.GetBinary("Data");
        var key = SealedBallots.DevelopmentKey();
        var state = JsonNode(SealedBallots.Open(key, original, partition, keys[1], "Data"));
        state["Online"]!["Choices"] = new System.Text.Json.Nodes.JsonArray(7);
        entity["Data"] = SealedBallots.Seal(key, Encoding.UTF8.GetBytes(state.ToJsonString()), partition, keys[1], "Data");
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);

        var count = await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/count"), 200);
        var differences = count.GetProperty("differences").EnumerateArray().Select(d => d.GetProperty("item").GetString()).ToList();
        Assert.Equal(["votes-2", "votes-7"], differences);
        var refused = await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/certify"), 409, "count-mismatch");
        Assert.Equal(2, refused.GetProperty("differences").GetArrayLength());
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/publish"), 409, "not-certified");

        // Put the ballot back: the recount agrees again and the count can be certified.
        entity = (await table.GetEntityAsync<TableEntity>(partition, keys[1])).Value;
        entity["Data"] = original;
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);
        var certified = await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/certify"), 200);
        Assert.Equal(4, certified.GetProperty("certified").GetProperty("table").GetProperty("votes").GetInt32());
    }

    [Fact]
    public async Task A_tie_at_the_cut_off_is_shown_and_published_only_after_an_administrators_decision()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var keys = Enumerable.Range(0, 4).Select(n => $"t{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await RoundWithVotersAsync(admin, keys);
        // 1: 3 votes; 2 and 3: 2 votes each (tied for the second place); 4: 1 vote.
        await CastManyAsync(roundId, [(keys[0], [1, 2, 3]), (keys[1], [1, 2]), (keys[2], [1, 3]), (keys[3], [4])]);
        await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/close", new { reason = "tie test" }), 200);

        var certified = await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/certify"), 200);
        var adoption = certified.GetProperty("adoption");
        Assert.Equal([1], adoption.GetProperty("adopted").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([2, 3], adoption.GetProperty("tiedAtCutoff").EnumerateArray().Select(e => e.GetInt32()));
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/publish"), 409, "adoption-tied");
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/adoption", new { ballotNumbers = new[] { 1, 3 } }), 400, "invalid-reason");
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/adoption", new { ballotNumbers = new[] { 1, 9 }, reason = "x" }), 400, "invalid-adoption");

        await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/adoption",
            new { ballotNumbers = new[] { 1, 3 }, reason = "同票のため区長が予算規模を考慮して決定 / Tied: decided on budget size" }), 200);
        await HttpAssertions.JsonAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/publish"), 200);
        await HttpAssertions.ProblemAsync(await PostAsync(admin, $"/api/v1/rounds/{roundId}/adoption", new { ballotNumbers = new[] { 1, 2 }, reason = "again" }), 409, "already-published");

        using var anonymous = await platform.ApiClientAsync();
        var results = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        Assert.True(results.GetProperty("adoption").GetProperty("overridden").GetBoolean());
        Assert.StartsWith("同票のため", results.GetProperty("adoption").GetProperty("reason").GetString());
        var tied = results.GetProperty("proposals").EnumerateArray().Where(p => p.GetProperty("tied").GetBoolean()).Select(p => p.GetProperty("ballotNumber").GetInt32());
        Assert.Contains(2, tied);
        Assert.Contains(3, tied);
        var csv = await (await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results.csv")).Content.ReadAsStringAsync();
        Assert.Contains("\r\nvoters,,,,,4,,,\r\n", csv);
        // The tie shows in results.csv too (last column), as in the JSON.
        var tiedInCsv = csv.Split("\r\n").Where(l => l.StartsWith("proposal,", StringComparison.Ordinal) && l.EndsWith(",true", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(tied.Order(), tiedInCsv.Order());
    }

    private static System.Text.Json.Nodes.JsonNode JsonNode(byte[] data) => System.Text.Json.Nodes.JsonNode.Parse(data)!;
}
