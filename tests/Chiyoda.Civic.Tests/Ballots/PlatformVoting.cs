using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Replay;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>Sets up rounds on the running platform through its API, the way an administrator would.</summary>
public static class PlatformVoting
{
    /// <summary>
    /// A round whose 7 proposals (p-001..p-007, "提案 n" / "Proposal n") reached its shortlist the one way there is
    /// (residents submit, the screener screens through every stage, the administrator publishes: see
    /// <see cref="ShortlistThroughScreening"/>), then its window moved to (now + opens, now + closes).
    /// </summary>
    public static async Task<string> CreateRoundAsync(HttpClient admin, TimeSpan? opens = null, TimeSpan? closes = null)
    {
        var roundId = RoundSamples.NewRoundId();
        var now = DateTimeOffset.UtcNow;
        await new ShortlistThroughScreening(PlatformAccounts.Of(admin)).CreateRoundAsync(roundId, "投票APIテスト", null,
            new ChainSchedule(now.AddDays(-60), now.AddDays(-30), now + (opens ?? TimeSpan.FromDays(-1)), now + (closes ?? TimeSpan.FromDays(30)), now.AddDays(60)),
            null, ShortlistThroughScreening.Seven);
        return roundId;
    }

    /// <summary>A round with the id given (a <c>jitter-</c> id gets random grain-call delays on the test platform), voting open for 30 days, its seven proposals shortlisted.</summary>
    public static async Task<string> ShortlistedRoundAsync(HttpClient admin, string roundId, string name, string nameEn)
    {
        var now = DateTimeOffset.UtcNow;
        await new ShortlistThroughScreening(PlatformAccounts.Of(admin)).CreateRoundAsync(roundId, name, nameEn,
            new ChainSchedule(now.AddDays(-60), now.AddDays(-30), now.AddDays(-1), now.AddDays(30), now.AddDays(60)), null, ShortlistThroughScreening.Seven);
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
