using System.Net.Http.Json;
using System.Text.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;

namespace Chiyoda.Civic.Tests.Proposals;

/// <summary>Rounds created through the API on the real clock, and proposal bodies.</summary>
public static class ProposalApiSamples
{
    public static string Local(DateTimeOffset instant) =>
        instant.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);

    public static object RoundBody(DateTimeOffset callCloses, DateTimeOffset votingOpens, int maxProposals = 3, DateTimeOffset? votingCloses = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new
        {
            name = "提案テスト募集回",
            nameEn = "Proposal test round",
            schedule = new
            {
                callOpens = Local(now.AddDays(-5)),
                callCloses = Local(callCloses),
                votingOpens = Local(votingOpens),
                votingCloses = Local(votingCloses ?? now.AddDays(30)),
                resultsDue = Local(now.AddDays(40)),
            },
            rules = new { maxVotesPerVoter = 3, minimumAge = 18, maxProposalsPerProposer = maxProposals },
        };
    }

    /// <summary>A round whose call for proposals is open now.</summary>
    public static async Task<string> OpenRoundAsync(HttpClient admin, int maxProposals = 3)
    {
        var roundId = RoundSamples.NewRoundId();
        var now = DateTimeOffset.UtcNow;
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", RoundBody(now.AddDays(2), now.AddDays(3), maxProposals)), 201);
        return roundId;
    }

    /// <summary>Closes the call (the phase is derived from the dates): screening from now on.</summary>
    public static async Task CloseCallAsync(HttpClient admin, string roundId, int maxProposals = 3)
    {
        var now = DateTimeOffset.UtcNow;
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}", RoundBody(now.AddSeconds(-1), now.AddDays(3), maxProposals)), 200);
    }

    public static object Body(string title, bool submit = true, string? proposalId = null) => new
    {
        proposalId,
        title,
        summary = "区の手続きをオンラインで完結させます。",
        problem = "窓口に何度も足を運ぶ必要がある。",
        solution = "オンライン申請と進み具合の通知。",
        expectedEffect = "来庁の回数が減る。",
        category = "administration",
        relation = "lives",
        submit,
    };

    public static async Task<JsonElement> CreateAsync(HttpClient proposer, string roundId, string title, bool submit = true, string? proposalId = null) =>
        await HttpAssertions.JsonAsync(await proposer.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", Body(title, submit, proposalId)), 201);

    public static object Scores(int benefit = 4) => new { benefit, feasibility = 4, cost = 3, strategy = 5 };
}
