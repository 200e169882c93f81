using System.Net;
using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Proposals;

namespace Chiyoda.Civic.Tests.Security;

/// <summary>
/// No one account can crowd out the others: withdrawn proposals keep their place in the proposer's limit,
/// repeated writes are rate limited per account (429 rate-limited, Retry-After), bodies are capped per
/// endpoint (413 body-too-large), and unknown ids are answered 404 from the round directory and the
/// proposal index.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RequestLimitTests(PlatformFixture platform)
{
    private static string Account() => "voter:lim-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Creating_and_withdrawing_in_a_loop_cannot_fill_a_round()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ProposalApiSamples.OpenRoundAsync(admin, maxProposals: 2);
        using var looper = await platform.ApiClientAsync(Account());
        using var other = await platform.ApiClientAsync(Account());

        for (var i = 0; i < 2; i++)
        {
            var created = await HttpAssertions.JsonAsync(await looper.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", ProposalApiSamples.Body($"取り下げる提案 {i}")), 201);
            var id = created.GetProperty("proposalId").GetString();
            await HttpAssertions.JsonAsync(await looper.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals/{id}/withdraw", new { reason = "試し" }), 200);
        }

        await HttpAssertions.ProblemAsync(await looper.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", ProposalApiSamples.Body("三件目")), 409, "proposal-limit");
        await HttpAssertions.JsonAsync(await other.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", ProposalApiSamples.Body("他の人の提案")), 201);
    }

    [Fact]
    public async Task Creating_proposals_is_rate_limited_per_account_with_retry_after()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ProposalApiSamples.OpenRoundAsync(admin);
        using var script = await platform.ApiClientAsync(Account());
        using var neighbour = await platform.ApiClientAsync(Account());

        // The burst is 30 creations; past the proposer limit (3) each is refused, but still counts.
        var statuses = new List<int>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 40 && limited is null; i++)
        {
            var response = await script.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", ProposalApiSamples.Body($"連投 {i}", submit: false));
            statuses.Add((int)response.StatusCode);
            limited = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.NotNull(limited);
        Assert.Equal(31, statuses.Count);
        Assert.Equal([201, 201, 201], statuses.Take(3));
        Assert.All(statuses.Skip(3).Take(27), s => Assert.Equal(409, s));
        var problem = await HttpAssertions.ProblemAsync(limited, 429, "rate-limited");
        Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single()), 1, 120);
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() >= 1);

        // Another account is not affected.
        await HttpAssertions.JsonAsync(await neighbour.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", ProposalApiSamples.Body("隣の人")), 201);
    }

    [Fact]
    public async Task Repeated_writes_such_as_inbox_marks_are_rate_limited_per_account()
    {
        using var resident = await platform.ApiClientAsync(Account());
        HttpResponseMessage? limited = null;
        var accepted = 0;
        for (var i = 0; i < 100 && limited is null; i++)
        {
            var response = await resident.PostAsync($"/api/v1/inbox/n-{i}/read", null);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                // No such notice (404 notice-not-found): the attempt counts against the account's limit all the same.
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                accepted++;
            }
        }

        Assert.NotNull(limited);
        Assert.InRange(accepted, 60, 75);
        await HttpAssertions.ProblemAsync(limited, 429, "rate-limited");
        Assert.True(limited.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Json_bodies_over_64_kb_are_refused_before_they_are_read()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ProposalApiSamples.OpenRoundAsync(admin);
        using var proposer = await platform.ApiClientAsync(Account());
        var huge = "{\"title\":\"" + new string('あ', 40_000) + "\"}";

        // With a declared length: refused up front.
        using var sized = new StringContent(huge, Encoding.UTF8, "application/json");
        await HttpAssertions.ProblemAsync(await proposer.PostAsync($"/api/v1/rounds/{roundId}/proposals", sized), 413, "body-too-large");

        // Without one (chunked): cut off at the cap while reading.
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/rounds/{roundId}/proposals") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await HttpAssertions.ProblemAsync(await proposer.SendAsync(request), 413, "body-too-large");

        // A ballot with a huge choices array too (the review's 24 MB took 2.8 s to refuse).
        using var voter = await platform.ApiClientAsync("voter:d-0001");
        using var ballot = new HttpRequestMessage(HttpMethod.Put, "/api/v1/rounds/demo-2024/ballot")
        {
            Content = new StringContent("{\"choices\":[" + string.Join(',', Enumerable.Repeat("1", 200_000)) + "]}", Encoding.UTF8, "application/json"),
        };
        ballot.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        await HttpAssertions.ProblemAsync(await voter.SendAsync(ballot), 413, "body-too-large");

        // An ordinary body still goes through.
        await HttpAssertions.JsonAsync(await proposer.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", ProposalApiSamples.Body("普通の提案")), 201);
    }

    [Fact]
    public async Task Unknown_rounds_and_proposals_are_answered_404_from_the_directory_and_the_index()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ProposalApiSamples.OpenRoundAsync(admin);
        using var proposer = await platform.ApiClientAsync(Account());
        using var voter = await platform.ApiClientAsync("voter:d-0001");
        using var anonymous = await platform.ApiClientAsync();
        var unknownRound = "no-such-" + Guid.NewGuid().ToString("N")[..8];

        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{unknownRound}"), 404, "round-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{unknownRound}/proposals"), 404, "round-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{unknownRound}/proposals/p-1"), 404, "round-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/proposals/p-unknown"), 404, "proposal-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/proposals/NOT%20AN%20ID"), 404, "proposal-not-found");
        await HttpAssertions.ProblemAsync(await proposer.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals/p-unknown/withdraw", new { reason = "x" }), 404, "proposal-not-found");
        await HttpAssertions.ProblemAsync(await proposer.PutAsJsonAsync($"/api/v1/rounds/{roundId}/proposals/p-unknown", ProposalApiSamples.Body("x")), 404, "proposal-not-found");
        await HttpAssertions.ProblemAsync(await proposer.PostAsync($"/api/v1/rounds/{unknownRound}/proposals/p-1/submit", null), 404, "round-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{unknownRound}/results"), 404, "round-not-found");
        using var ballot = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/rounds/{unknownRound}/ballot") { Content = JsonContent.Create(new { choices = new[] { 1 } }) };
        ballot.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        await HttpAssertions.ProblemAsync(await voter.SendAsync(ballot), 404, "round-not-found");
    }
}
