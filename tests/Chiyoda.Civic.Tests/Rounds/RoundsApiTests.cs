using System.Net;
using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Replay;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Rounds;

[Collection(PlatformCollection.Name)]
public sealed class RoundsApiTests(PlatformFixture platform)
{
    [Fact]
    public async Task Anyone_reads_the_rounds_and_the_demo_round_is_open_for_voting()
    {
        using var anonymous = await platform.ApiClientAsync();

        var list = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds"), 200);
        var demo = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024"), 200);

        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("roundId").GetString() == "demo-2024");
        Assert.Equal("voting", demo.GetProperty("phase").GetString());
        Assert.Equal(3, demo.GetProperty("rules").GetProperty("maxVotesPerVoter").GetInt32());
        Assert.Equal(18, demo.GetProperty("rules").GetProperty("minimumAge").GetInt32());
        Assert.EndsWith("+09:00", demo.GetProperty("schedule").GetProperty("votingOpens").GetString());
    }

    [Fact]
    public async Task An_unknown_round_is_a_404_problem_with_a_stable_code()
    {
        using var anonymous = await platform.ApiClientAsync();
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/rounds/no-such-round"), 404, "round-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/no-such-resource"), 404, "not-found");
    }

    [Fact]
    public async Task Creating_a_round_needs_an_administrator()
    {
        var roundId = RoundSamples.NewRoundId();
        using var anonymous = await platform.ApiClientAsync();
        using var resident = await platform.ApiClientAsync("resident-45");
        using var clerk = await platform.ApiClientAsync("clerk");

        var asAnonymous = await anonymous.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody());
        var asResident = await resident.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody());
        var asClerk = await clerk.PutAsJsonAsync($"/api/v1/rounds/demo-2024", RoundSamples.ApiBody());

        Assert.Equal(HttpStatusCode.Unauthorized, asAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asResident.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asClerk.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/v1/rounds/{roundId}")).StatusCode);
    }

    [Fact]
    public async Task An_administrator_creates_and_edits_a_round()
    {
        var roundId = RoundSamples.NewRoundId();
        using var admin = await platform.ApiClientAsync("admin");

        var created = await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody("作成した募集回"));
        var createdBody = await HttpAssertions.JsonAsync(created, 201);
        var edited = await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody("編集した募集回")), 200);
        var read = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}"), 200);

        Assert.Equal($"/api/v1/rounds/{roundId}", created.Headers.Location?.OriginalString);
        Assert.Equal(1, createdBody.GetProperty("version").GetInt32());
        Assert.Equal(2, edited.GetProperty("version").GetInt32());
        Assert.Equal("編集した募集回", read.GetProperty("name").GetString());
        // "2024-08-05" was read as the start of that day in Tokyo, not in the server's zone.
        Assert.Equal("2024-08-05T00:00:00+09:00", read.GetProperty("schedule").GetProperty("votingOpens").GetString());
        Assert.Equal("results", read.GetProperty("phase").GetString());
    }

    [Fact]
    public async Task Dates_out_of_order_are_refused_field_by_field_and_nothing_is_stored()
    {
        var roundId = RoundSamples.NewRoundId();
        using var admin = await platform.ApiClientAsync("admin");

        var response = await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}",
            RoundSamples.ApiBody(votingOpens: "2024-09-21", votingCloses: "2024-08-05"));

        var problem = await HttpAssertions.ProblemAsync(response, 400, "invalid-round");
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e =>
            e.GetProperty("field").GetString() == "schedule.votingCloses" && e.GetProperty("code").GetString() == "dates-out-of-order");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/rounds/{roundId}")).StatusCode);
    }

    [Fact]
    public async Task Negative_limits_are_refused_and_nothing_is_stored()
    {
        var roundId = RoundSamples.NewRoundId();
        using var admin = await platform.ApiClientAsync("admin");

        var response = await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody(maxVotes: -3, minimumAge: -1));

        var problem = await HttpAssertions.ProblemAsync(response, 400, "invalid-round");
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Contains(("rules.maxVotesPerVoter", "out-of-range"), fields);
        Assert.Contains(("rules.minimumAge", "out-of-range"), fields);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/rounds/{roundId}")).StatusCode);
    }

    [Fact]
    public async Task Missing_dates_malformed_json_and_bad_ids_get_clear_problems()
    {
        using var admin = await platform.ApiClientAsync("admin");

        var missing = await admin.PostAsJsonAsync($"/api/v1/rounds/{RoundSamples.NewRoundId()}", new { name = "日付なし" });
        var malformed = await admin.PostAsync($"/api/v1/rounds/{RoundSamples.NewRoundId()}", new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));
        var badDate = await admin.PostAsync($"/api/v1/rounds/{RoundSamples.NewRoundId()}", new StringContent("""{"name":"x","schedule":{"callOpens":"next tuesday"}}""", Encoding.UTF8, "application/json"));
        var badId = await admin.PostAsJsonAsync("/api/v1/rounds/Bad_Id", RoundSamples.ApiBody());
        var unknown = await admin.PutAsJsonAsync($"/api/v1/rounds/{RoundSamples.NewRoundId()}", RoundSamples.ApiBody());

        var missingProblem = await HttpAssertions.ProblemAsync(missing, 400, "invalid-round");
        Assert.Equal(5, missingProblem.GetProperty("errors").EnumerateArray().Count(e => e.GetProperty("code").GetString() == "required"));
        await HttpAssertions.ProblemAsync(malformed, 400, "malformed-request");
        await HttpAssertions.ProblemAsync(badDate, 400, "malformed-request");
        await HttpAssertions.ProblemAsync(badId, 400, "invalid-round-id");
        await HttpAssertions.ProblemAsync(unknown, 404, "round-not-found");
    }

    [Fact]
    public async Task A_different_round_under_an_existing_id_is_a_conflict()
    {
        var roundId = RoundSamples.NewRoundId();
        using var admin = await platform.ApiClientAsync("admin");
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody("最初")), 201);

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody("最初")), 201);
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundSamples.ApiBody("二番目")), 409, "round-exists");
    }

    [Fact]
    public async Task The_demo_round_publishes_the_2024_shortlist_through_screening_and_refuses_changes_during_the_vote()
    {
        using var anonymous = await platform.ApiClientAsync();
        using var admin = await platform.ApiClientAsync("admin");
        using var resident = await platform.ApiClientAsync("resident-45");
        var ids = Enumerable.Range(1, 7).Select(n => $"p-{n:000}").ToArray();

        var shortlist = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024/shortlist"), 200);
        var reordered = await admin.PostAsJsonAsync("/api/v1/rounds/demo-2024/shortlist/publish", new { proposalIds = ids.Reverse() });
        var asResident = await resident.PostAsJsonAsync("/api/v1/rounds/demo-2024/shortlist/publish", new { proposalIds = ids });
        var first = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024/proposals/p-001"), 200);

        var entries = shortlist.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(ids, entries.Select(e => e.GetProperty("proposalId").GetString()));
        Assert.Equal(Enumerable.Range(1, 7), entries.Select(e => e.GetProperty("ballotNumber").GetInt32()));
        Assert.Equal(Replay2024.Table.Select(t => t.Title), entries.Select(e => e.GetProperty("title").GetString()));
        Assert.Equal(Replay2024.Table.Select(t => t.TitleEn), entries.Select(e => e.GetProperty("titleEn").GetString()));
        await HttpAssertions.ProblemAsync(reordered, 409, "shortlist-locked");
        Assert.Equal(HttpStatusCode.Forbidden, asResident.StatusCode);

        // The demo's ballot came the one way there is: submitted, screened through the three stages, selected, shortlisted.
        Assert.Equal(["submitted", "advanced", "advanced", "selected", "shortlisted"],
            first.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task There_is_no_free_shortlist_write_for_anyone()
    {
        var callers = new[] { null, "resident-45", "screener", "clerk", "admin" };
        foreach (var account in callers)
        {
            using var client = await platform.ApiClientAsync(account);
            var put = await client.PutAsJsonAsync("/api/v1/rounds/demo-2024/shortlist",
                new { entries = new[] { new { ballotNumber = 1, proposalId = "p-x", title = "差し替え", summary = "" } } });
            var post = await client.PostAsJsonAsync("/api/v1/rounds/demo-2024/shortlist", new { entries = Array.Empty<object>() });

            // As docs/api.md says: the address exists and takes GET only, whoever asks.
            foreach (var refused in new[] { put, post })
            {
                await HttpAssertions.ProblemAsync(refused, 405, "method-not-allowed");
                Assert.Contains("GET", refused.Content.Headers.Allow);
            }
        }

        using var anonymous = await platform.ApiClientAsync();
        var shortlist = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024/shortlist"), 200);
        Assert.Equal("デジタル書面送付サービス", shortlist.GetProperty("entries")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_rounds_api()
    {
        using var anonymous = await platform.ApiClientAsync();
        var document = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/openapi.json"), 200);
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/rounds/{roundId}", out _));
    }
}
