using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>The paper channel driven through the API, as kiosks, scripts and checkers use it.</summary>
public static class PaperApi
{
    static PaperApi() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding ShiftJis => Encoding.GetEncoding(932);

    public static string Today => DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd");

    /// <summary>
    /// A round with two online ballots, {1, 2} and {1, 2, 3} (no tie at the adoption cut-off, so it publishes without an
    /// administrator's decision), closed early with <paramref name="reason"/> and certified, not yet published.
    /// </summary>
    public static async Task<string> CertifiedRoundAsync(PlatformFixture platform, HttpClient admin, string keyPrefix, string reason)
    {
        var keys = Enumerable.Range(0, 2).Select(n => $"{keyPrefix}{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await RoundAsync(admin, [.. keys]);
        foreach (var (key, choices) in keys.Zip(new[] { new[] { 1, 2 }, [1, 2, 3] }))
        {
            using var voter = await platform.ApiClientAsync("voter:" + key);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), choices)), 200);
        }

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        return roundId;
    }

    /// <summary>An open round with facilities F01/F02 and a register of adults (plus one who turns 18 in three days).</summary>
    public static async Task<string> RoundAsync(HttpClient admin, params string[] adults)
    {
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var young = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).AddDays(3).AddYears(-18).ToString("yyyy-MM-dd");
        var csv = "voter_key,name_kana,birthdate,postcode\n" + string.Join('\n', adults.Select(a => PlatformVoting.Adult(a, "クミン " + a.ToUpperInvariant())))
            + $"\nyoung,ワカイ ハナコ,{young},102-8688\n";
        await PlatformVoting.LoadRegisterAsync(admin, roundId, csv);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}/facilities",
            new[] { new { code = "F01", name = "区役所 1階" }, new { code = "F02", name = "神田公園出張所" } }), 200);
        return roundId;
    }

    public static async Task<string> OpenBatchAsync(HttpClient clerk, string roundId, int ballotsInBox, string? batchId = null)
    {
        var batch = await HttpAssertions.JsonAsync(await clerk.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches",
            new { batchId, facility = "F01", sessionDate = Today, ballotsInBox }), 201);
        return batch.GetProperty("summary").GetProperty("batchId").GetString()!;
    }

    public static Task<HttpResponseMessage> ImportAsync(HttpClient client, string roundId, string batchId, byte[] file)
    {
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new("text/csv");
        return client.PostAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}/keyings", content);
    }

    public static byte[] Utf8(string text, bool bom = false) => [.. (bom ? (byte[])[0xEF, 0xBB, 0xBF] : []), .. Encoding.UTF8.GetBytes(text)];

    /// <summary>The report's lines by file line number: (outcome, reason).</summary>
    public static Dictionary<int, (string Outcome, string? Reason)> ByLine(JsonElement report) =>
        report.GetProperty("outcomes").EnumerateArray().ToDictionary(
            l => l.GetProperty("line").GetInt32(),
            l => (l.GetProperty("outcome").GetString()!, l.TryGetProperty("reason", out var r) ? r.GetString() : null));

    public static async Task<JsonElement> CommitAsync(HttpClient client, string roundId, string batchId, string? forcedReason = null)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}/commit", new { forcedReason });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var batch = await HttpAssertions.JsonAsync(await client.GetAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}?take=10000"), 200);
            if (batch.GetProperty("batch").GetProperty("summary").GetProperty("status").GetString() == "committed")
            {
                return batch;
            }

            // The commit answered 202: ask again, the batch waits for its commit server-side for up to 5 s per request.
            await client.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}/commit", new { forcedReason });
        }

        throw new TimeoutException("The batch was not committed.");
    }

    public static Dictionary<string, (string Outcome, string? Reason)> FinalBySerial(JsonElement batch) =>
        batch.GetProperty("report").GetProperty("lines").EnumerateArray().ToDictionary(
            l => l.GetProperty("serial").GetString()!,
            l => (l.GetProperty("outcome").GetString()!, l.TryGetProperty("reason", out var r) ? r.GetString() : null));
}
