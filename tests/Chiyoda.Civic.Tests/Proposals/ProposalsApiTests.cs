using System.Net;
using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Tests.Infrastructure;
using static Chiyoda.Civic.Tests.Proposals.ProposalApiSamples;

namespace Chiyoda.Civic.Tests.Proposals;

[Collection(PlatformCollection.Name)]
public sealed class ProposalsApiTests(PlatformFixture platform)
{
    private enum Level { Public, Proposer, Screener, Administrator, SignedIn }

    [Fact]
    public async Task Every_endpoint_answers_each_role_as_the_authorization_matrix_says()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await OpenRoundAsync(admin);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}/screening/assignments/screener", new { stages = new[] { 1, 2 } }), 200);
        using var owner = await platform.ApiClientAsync("resident-45");
        var proposalId = (await CreateAsync(owner, roundId, "権限テスト")).GetProperty("proposalId").GetString();
        var p = $"/api/v1/rounds/{roundId}/proposals/{proposalId}";
        var r = $"/api/v1/rounds/{roundId}";

        (HttpMethod Method, string Path, object? Body, Level Level)[] endpoints =
        [
            (HttpMethod.Get, $"{r}/proposals", null, Level.Public),
            (HttpMethod.Get, p, null, Level.Public),
            (HttpMethod.Get, $"{r}/screening", null, Level.Public),
            (HttpMethod.Get, $"{r}/shortlist", null, Level.Public),
            (HttpMethod.Get, $"{r}/proposals/mine", null, Level.Proposer),
            (HttpMethod.Post, $"{r}/proposals", Body("行列テスト", submit: false), Level.Proposer),
            (HttpMethod.Put, p, Body("行列テスト 改"), Level.Proposer),
            (HttpMethod.Post, $"{p}/submit", new { }, Level.Proposer),
            (HttpMethod.Post, $"{p}/withdraw", new { reason = "テスト" }, Level.Proposer),
            (HttpMethod.Get, $"{r}/screening/queue", null, Level.Screener),
            (HttpMethod.Get, $"{p}/reviews", null, Level.Screener),
            (HttpMethod.Post, $"{p}/reviews/scores", new { stage = 2, scores = Scores() }, Level.Screener),
            (HttpMethod.Post, $"{p}/reviews/notes", new { stage = 1, text = "メモ" }, Level.Screener),
            (HttpMethod.Post, $"{p}/reviews/decisions", new { stage = 9, decision = "advance" }, Level.Screener),
            (HttpMethod.Post, $"{r}/screening/decisions", new { proposalIds = new[] { proposalId }, stage = 9, decision = "advance" }, Level.Screener),
            (HttpMethod.Put, $"{p}/assignees", new { screeners = Array.Empty<string>() }, Level.Administrator),
            (HttpMethod.Put, $"{r}/screening", new { stages = Array.Empty<object>(), categories = Array.Empty<object>() }, Level.Administrator),
            (HttpMethod.Get, $"{r}/screening/assignments", null, Level.Administrator),
            (HttpMethod.Put, $"{r}/screening/assignments/nobody", new { stages = Array.Empty<int>() }, Level.Administrator),
            (HttpMethod.Post, $"{r}/shortlist/publish", new { proposalIds = Array.Empty<string>() }, Level.Administrator),
            (HttpMethod.Get, $"{r}/audit", null, Level.Administrator),
            (HttpMethod.Get, "/api/v1/inbox", null, Level.SignedIn),
        ];

        var callers = new (string? Account, Level[] Allowed)[]
        {
            (null, [Level.Public]),
            ("resident-18", [Level.Public, Level.Proposer, Level.SignedIn]),
            ("screener", [Level.Public, Level.Screener, Level.SignedIn]),
            ("clerk", [Level.Public, Level.SignedIn]),
            ("admin", [Level.Public, Level.Screener, Level.Administrator, Level.SignedIn]),
        };

        var failures = new List<string>();
        foreach (var (account, allowed) in callers)
        {
            using var client = await platform.ApiClientAsync(account);
            foreach (var (method, path, body, level) in endpoints)
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var expectedRefusal = allowed.Contains(level) ? (int?)null : account is null ? 401 : 403;
                if (expectedRefusal is { } refusal ? status != refusal : status is 401 or 403 or 405 or >= 500)
                {
                    failures.Add($"{account ?? "anonymous"} {method} {path}: {status} (expected {(expectedRefusal?.ToString() ?? "not 401/403")})");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Someone else's proposal is not even visible as someone else's.
        using var other = await platform.ApiClientAsync("resident-80");
        await HttpAssertions.ProblemAsync(await other.PutAsJsonAsync(p, Body("乗っ取り")), 404, "proposal-not-found");
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_problem_and_changes_nothing()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var proposer = await platform.ApiClientAsync("worker");
        using var screener = await platform.ApiClientAsync("screener");
        using var anonymous = await platform.ApiClientAsync();
        var roundId = await OpenRoundAsync(admin);
        var proposals = $"/api/v1/rounds/{roundId}/proposals";

        var empty = await HttpAssertions.ProblemAsync(await proposer.PostAsJsonAsync(proposals, new
        {
            title = "", summary = new string('長', 401), problem = "", solution = "", expectedEffect = "", category = "", relation = "organisation", submit = true,
        }), 400, "invalid-proposal");
        var fields = empty.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Contains(("title", "required"), fields);
        Assert.Contains(("summary", "too-long"), fields);
        await HttpAssertions.ProblemAsync(await proposer.PostAsync(proposals, new StringContent("{\"title\": ", Encoding.UTF8, "application/json")), 400, "malformed-request");
        await HttpAssertions.ProblemAsync(await proposer.PostAsync(proposals, new StringContent("{\"relation\": \"alien\"}", Encoding.UTF8, "application/json")), 400, "malformed-request");

        // Submitting a draft with missing parts names every missing field.
        var draft = await CreateAsync(proposer, roundId, "下書き", submit: false);
        var draftId = draft.GetProperty("proposalId").GetString();
        await HttpAssertions.JsonAsync(await proposer.PutAsJsonAsync($"{proposals}/{draftId}", new { title = "下書き", relation = "organisation", category = "other" }), 200);
        var incomplete = await HttpAssertions.ProblemAsync(await proposer.PostAsync($"{proposals}/{draftId}/submit", null), 400, "invalid-proposal");
        Assert.Equal(["expectedEffect", "organisationName", "problem", "solution", "summary"],
            incomplete.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).Order(StringComparer.Ordinal));

        // Markup is kept as text and returned JSON-encoded, never as markup.
        const string script = "<script>alert(1)</script><b>太字</b>";
        var withScript = await CreateAsync(proposer, roundId, script);
        var scriptId = withScript.GetProperty("proposalId").GetString();
        Assert.Equal(script, withScript.GetProperty("content").GetProperty("title").GetString());
        using var read = await proposer.GetAsync($"{proposals}/{scriptId}");
        Assert.Equal("application/json", read.Content.Headers.ContentType?.MediaType);
        Assert.Equal(script, (await HttpAssertions.JsonAsync(read, 200)).GetProperty("content").GetProperty("title").GetString());

        // A screener outside the stage assigned to them; a decision on a withdrawn proposal.
        await HttpAssertions.ProblemAsync(await screener.PostAsJsonAsync($"{proposals}/{scriptId}/reviews/decisions", new { stage = 1, decision = "advance" }), 403, "not-assigned");
        await HttpAssertions.JsonAsync(await proposer.PostAsJsonAsync($"{proposals}/{scriptId}/withdraw", new { reason = "取り下げ" }), 200);
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{proposals}/{scriptId}/reviews/decisions", new { stage = 1, decision = "decline", message = "理由" }), 409, "proposal-withdrawn");
        await HttpAssertions.ProblemAsync(await proposer.PostAsJsonAsync($"{proposals}/{draftId}/withdraw", new { reason = "" }), 400, "invalid-reason");

        // After the call closes.
        await CloseCallAsync(admin, roundId);
        await HttpAssertions.ProblemAsync(await proposer.PostAsJsonAsync(proposals, Body("締切後")), 409, "call-closed");
        await HttpAssertions.ProblemAsync(await proposer.PutAsJsonAsync($"{proposals}/{draftId}", Body("締切後の編集")), 409, "call-closed");
        Assert.Equal("下書き", (await HttpAssertions.JsonAsync(await proposer.GetAsync($"{proposals}/{draftId}"), 200)).GetProperty("content").GetProperty("title").GetString());

        // Drafts are not public; unknown proposals are 404 problems.
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"{proposals}/{draftId}"), 404, "proposal-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"{proposals}/no-such"), 404, "proposal-not-found");
        Assert.Equal(0, (await HttpAssertions.JsonAsync(await anonymous.GetAsync(proposals), 200)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_draft_is_its_proposers_alone_until_submitted_staff_included_in_the_api_and_on_the_review_page()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await OpenRoundAsync(admin);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}/screening/assignments/screener", new { stages = new[] { 1, 2 } }), 200);
        using var author = await platform.ApiClientAsync("resident-45");
        using var screener = await platform.ApiClientAsync("screener");
        const string title = "まだ誰にも見せていない下書き";
        var draftId = (await CreateAsync(author, roundId, title, submit: false)).GetProperty("proposalId").GetString();
        var p = $"/api/v1/rounds/{roundId}/proposals/{draftId}";

        // Staff get what an id that names nothing gets: no content, no hint that a draft is there.
        Assert.Equal(title, (await HttpAssertions.JsonAsync(await author.GetAsync(p), 200)).GetProperty("content").GetProperty("title").GetString());
        foreach (var staff in new[] { screener, admin })
        {
            await HttpAssertions.ProblemAsync(await staff.GetAsync(p), 404, "proposal-not-found");
            await HttpAssertions.ProblemAsync(await staff.GetAsync($"{p}/reviews"), 404, "proposal-not-found");
            await HttpAssertions.ProblemAsync(await staff.PostAsJsonAsync($"{p}/reviews/notes", new { stage = 1, text = "メモ" }), 404, "proposal-not-found");
            await HttpAssertions.ProblemAsync(await staff.PostAsJsonAsync($"{p}/reviews/decisions", new { stage = 1, decision = "advance" }), 404, "proposal-not-found");
        }

        // The review page says the same to a signed-in screener.
        using (var session = new BrowserlessSession())
        {
            await session.SignInAsync(platform.Web, "screener", PlatformFixture.DevelopmentPassword);
            var (page, _) = await session.SendAsync(HttpMethod.Get, new Uri(platform.Web, $"/screening/{roundId}/{draftId}"));
            var html = await page.Content.ReadAsStringAsync();
            Assert.DoesNotContain(title, html, StringComparison.Ordinal);
            Assert.Contains("提案が見つかりません。", html, StringComparison.Ordinal);
        }

        // Withdrawn before it was ever sent, a draft stays private: not in the queue, not readable by id.
        var withdrawnId = (await CreateAsync(author, roundId, "取り下げた下書き", submit: false)).GetProperty("proposalId").GetString();
        await HttpAssertions.JsonAsync(await author.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals/{withdrawnId}/withdraw", new { reason = "やめました" }), 200);
        await HttpAssertions.ProblemAsync(await screener.GetAsync($"/api/v1/rounds/{roundId}/proposals/{withdrawnId}"), 404, "proposal-not-found");
        var queue = await HttpAssertions.JsonAsync(await screener.GetAsync($"/api/v1/rounds/{roundId}/screening/queue?status=withdrawn"), 200);
        Assert.Equal(0, queue.GetProperty("total").GetInt32());

        // Submitted, it is the ward's to screen.
        await HttpAssertions.JsonAsync(await author.PostAsync($"{p}/submit", null), 200);
        Assert.Equal(title, (await HttpAssertions.JsonAsync(await screener.GetAsync(p), 200)).GetProperty("content").GetProperty("title").GetString());
        await HttpAssertions.JsonAsync(await screener.GetAsync($"{p}/reviews"), 200);
    }
}
