using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>Sets up rounds on the running platform through its API, the way an administrator would.</summary>
public static class PlatformVoting
{
    private static string Iso(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>A round created before voting, its shortlist (7 proposals) set, then its window moved to (now + opens, now + closes).</summary>
    public static async Task<string> CreateRoundAsync(HttpClient admin, TimeSpan? opens = null, TimeSpan? closes = null)
    {
        var roundId = RoundSamples.NewRoundId();
        var now = DateTimeOffset.UtcNow;
        object Body(DateTimeOffset votingOpens, DateTimeOffset votingCloses) => new
        {
            name = "投票APIテスト",
            schedule = new
            {
                callOpens = Iso(now.AddDays(-60)),
                callCloses = Iso(now.AddDays(-30)),
                votingOpens = Iso(votingOpens),
                votingCloses = Iso(votingCloses),
                resultsDue = Iso(now.AddDays(60)),
            },
        };

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", Body(now.AddDays(1), now.AddDays(30))), 201);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}/shortlist", new
        {
            entries = Enumerable.Range(1, 7).Select(n => new { ballotNumber = n, proposalId = $"p-{n:000}", title = $"提案 {n}", titleEn = $"Proposal {n}", summary = $"概要 {n}" }),
        }), 200);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}",
            Body(now + (opens ?? TimeSpan.FromDays(-1)), now + (closes ?? TimeSpan.FromDays(30)))), 200);
        return roundId;
    }

    public static async Task<System.Text.Json.JsonElement> LoadRegisterAsync(HttpClient admin, string roundId, string csv, Encoding? encoding = null)
    {
        var bytes = (encoding ?? Encoding.UTF8).GetBytes(csv);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("text/csv");
        return await HttpAssertions.JsonAsync(await admin.PostAsync($"/api/v1/rounds/{roundId}/register", content), 200);
    }

    public static string Adult(string voterKey, string kana = "クミン タロウ") =>
        $"{voterKey},{kana},{DateTime.UtcNow.AddYears(-40):yyyy-MM-dd},102-8688";

    public static HttpRequestMessage Ballot(string roundId, string key, params int[] choices) =>
        new(HttpMethod.Put, $"/api/v1/rounds/{roundId}/ballot")
        {
            Headers = { { "Idempotency-Key", key } },
            Content = JsonContent.Create(new { choices }),
        };
}
