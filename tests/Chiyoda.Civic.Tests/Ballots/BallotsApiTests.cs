using System.Net;
using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Ballots;

[Collection(PlatformCollection.Name)]
public sealed class BallotsApiTests(PlatformFixture platform)
{
    private static string NewKey() => "v" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(string RoundId, string VoterKey, HttpClient Voter)> VoterInOpenRoundAsync()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var voterKey = NewKey();
        await PlatformVoting.LoadRegisterAsync(admin, roundId, "voter_key,name_kana,birthdate,postcode\n" + PlatformVoting.Adult(voterKey));
        return (roundId, voterKey, await platform.ApiClientAsync("voter:" + voterKey));
    }

    [Fact]
    public async Task A_voter_casts_reads_and_changes_their_ballot()
    {
        var (roundId, _, voter) = await VoterInOpenRoundAsync();
        using var _ = voter;

        var cast = await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "k1", 7, 1, 4)), 200);
        var changed = await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "k2", 2)), 200);
        var read = await HttpAssertions.JsonAsync(await voter.GetAsync($"/api/v1/rounds/{roundId}/ballot"), 200);

        Assert.Equal([1, 4, 7], cast.GetProperty("choices").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal(2, changed.GetProperty("version").GetInt32());
        Assert.Equal(changed.GetProperty("code").GetString(), read.GetProperty("ballot").GetProperty("code").GetString());
        Assert.Equal([2], read.GetProperty("ballot").GetProperty("choices").EnumerateArray().Select(c => c.GetInt32()));

        // The receipt is in the voter's inbox too: the one that counts now.
        var inbox = await HttpAssertions.JsonAsync(await voter.GetAsync("/api/v1/inbox"), 200);
        var receipt = Assert.Single(inbox.EnumerateArray(), n => n.GetProperty("kind").GetString() == "ballot-receipt");
        Assert.Contains(changed.GetProperty("code").GetString()!, receipt.GetProperty("body").GetString());
        // It never says what was chosen: no ballot number of either ballot appears in any language.
        foreach (var text in receipt.EnumerateObject().Where(p => p.Name.StartsWith("body", StringComparison.Ordinal)).Select(p => p.Value.GetString() ?? ""))
        {
            Assert.DoesNotMatch(@"[：:]\s*[0-9]|[0-9]\s*,\s*[0-9]|chosen:", text);
        }
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_receipt_and_another_body_is_refused()
    {
        var (roundId, _, voter) = await VoterInOpenRoundAsync();
        using var _ = voter;

        var first = await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "same", 3, 5)), 200);
        var again = await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "same", 3, 5)), 200);
        var other = await voter.SendAsync(PlatformVoting.Ballot(roundId, "same", 6));
        var missing = await voter.PutAsync($"/api/v1/rounds/{roundId}/ballot", new StringContent("{\"choices\":[1]}", Encoding.UTF8, "application/json"));

        Assert.Equal(first.GetProperty("code").GetString(), again.GetProperty("code").GetString());
        Assert.Equal(1, again.GetProperty("version").GetInt32());
        await HttpAssertions.ProblemAsync(other, 422, "idempotency-key-reused");
        await HttpAssertions.ProblemAsync(missing, 400, "missing-idempotency-key");
    }

    [Theory]
    [InlineData(new int[0], "no-choice")]
    [InlineData(new[] { 1, 2, 3, 4 }, "too-many-choices")]
    [InlineData(new[] { 2, 2 }, "duplicate-choice")]
    [InlineData(new[] { 8 }, "unknown-proposal")]
    public async Task Bad_choices_are_refused_with_their_code(int[] choices, string code)
    {
        var (roundId, _, voter) = await VoterInOpenRoundAsync();
        using var _ = voter;
        await HttpAssertions.ProblemAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "k", choices)), 400, code);
        var read = await HttpAssertions.JsonAsync(await voter.GetAsync($"/api/v1/rounds/{roundId}/ballot"), 200);
        Assert.False(read.TryGetProperty("ballot", out var stored), $"a refused ballot was stored: {stored}");
    }

    [Fact]
    public async Task Someone_not_on_the_register_and_someone_under_age_are_refused_in_plain_terms()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var young = NewKey();
        var birthdate = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(9)).AddDays(10).AddYears(-18);
        await PlatformVoting.LoadRegisterAsync(admin, roundId, $"voter_key,name_kana,birthdate,postcode\n{young},ワカイ,{birthdate:yyyy-MM-dd},102-8688");
        using var youngVoter = await platform.ApiClientAsync("voter:" + young);
        using var stranger = await platform.ApiClientAsync("voter:" + NewKey());
        using var worker = await platform.ApiClientAsync("worker");

        var underAge = await HttpAssertions.ProblemAsync(await youngVoter.SendAsync(PlatformVoting.Ballot(roundId, "k", 1)), 403, "under-age");
        await HttpAssertions.ProblemAsync(await stranger.SendAsync(PlatformVoting.Ballot(roundId, "k", 1)), 403, "not-on-register");
        await HttpAssertions.ProblemAsync(await worker.SendAsync(PlatformVoting.Ballot(roundId, "k", 1)), 403, "not-on-register");

        // Eligible from the eve of the 18th birthday.
        Assert.Equal($"{birthdate.AddYears(18).AddDays(-1):yyyy-MM-dd}", underAge.GetProperty("eligibleFrom").GetString());
    }

    [Fact]
    public async Task Ballots_before_the_window_opens_and_after_it_closes_are_refused()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var notYet = await PlatformVoting.CreateRoundAsync(admin, TimeSpan.FromHours(3), TimeSpan.FromDays(3));
        var closed = await PlatformVoting.CreateRoundAsync(admin, TimeSpan.FromDays(-3));
        var key = NewKey();
        await PlatformVoting.LoadRegisterAsync(admin, notYet, "voter_key,name_kana,birthdate,postcode\n" + PlatformVoting.Adult(key));
        // The register is final once voting has closed: loaded while open, then closed.
        await PlatformVoting.LoadRegisterAsync(admin, closed, "voter_key,name_kana,birthdate,postcode\n" + PlatformVoting.Adult(key));
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{closed}/close", new { reason = "締切後の投票の試験" }), 200);
        using var voter = await platform.ApiClientAsync("voter:" + key);

        await HttpAssertions.ProblemAsync(await voter.SendAsync(PlatformVoting.Ballot(notYet, "k", 1)), 409, "window-not-open");
        await HttpAssertions.ProblemAsync(await voter.SendAsync(PlatformVoting.Ballot(closed, "k", 1)), 409, "window-closed");
    }

    [Fact]
    public async Task A_script_churning_one_ballot_is_slowed_with_429_and_retry_after()
    {
        var (roundId, _, voter) = await VoterInOpenRoundAsync();
        using var _ = voter;

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 11; i++)
        {
            responses.Add(await voter.SendAsync(PlatformVoting.Ballot(roundId, $"churn-{i}", 1 + (i % 7))));
        }

        Assert.All(responses.Take(10), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await HttpAssertions.ProblemAsync(responses[10], 429, "rate-limited");
        Assert.InRange(int.Parse(responses[10].Headers.GetValues("Retry-After").Single()), 1, 60);
    }

    [Fact]
    public async Task Ballot_endpoints_need_a_signed_in_caller()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        using var anonymous = await platform.ApiClientAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(PlatformVoting.Ballot(roundId, "k", 1))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/rounds/{roundId}/ballot")).StatusCode);
    }

    [Fact]
    public async Task Administrators_see_turnout_but_no_per_proposal_counts_and_nobody_else_sees_turnout()
    {
        var (roundId, _, voter) = await VoterInOpenRoundAsync();
        using var _ = voter;
        await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "k", 1, 2)), 200);
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");

        var response = await admin.GetAsync($"/api/v1/rounds/{roundId}/turnout");
        var body = await response.Content.ReadAsStringAsync();
        var turnout = await HttpAssertions.JsonAsync(response, 200);

        Assert.Equal(1, turnout.GetProperty("voters").GetInt32());
        Assert.Equal(1, turnout.GetProperty("registered").GetInt32());
        Assert.DoesNotContain("votes", body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.GetAsync($"/api/v1/rounds/{roundId}/turnout")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await voter.GetAsync($"/api/v1/rounds/{roundId}/turnout")).StatusCode);
    }
}
