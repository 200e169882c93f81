using System.Net.Http.Json;
using System.Text.Json;
using Chiyoda.Civic.Tests.Audit;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Rounds;

/// <summary>
/// Issue 12, points 5 and 6 through the API: no reopening after a close (early or scheduled), no moving the opening,
/// no count while open, phase results after publication, and an audit log that verifies against the published head.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RoundLockApiTests(PlatformFixture platform)
{
    /// <summary>The round as stored, with voting's opening or close replaced: what an administrator would PUT.</summary>
    private static object Edited(JsonElement round, DateTimeOffset? votingOpens = null, DateTimeOffset? votingCloses = null)
    {
        var s = round.GetProperty("schedule");
        string At(string name, DateTimeOffset? replaced) => replaced?.ToString("O") ?? s.GetProperty(name).GetString()!;
        return new
        {
            name = round.GetProperty("name").GetString(),
            schedule = new
            {
                callOpens = At("callOpens", null),
                callCloses = At("callCloses", null),
                votingOpens = At("votingOpens", votingOpens),
                votingCloses = At("votingCloses", votingCloses),
                resultsDue = At("resultsDue", null),
            },
        };
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string url, object? body = null) => client.PostAsJsonAsync(url, body ?? new { });

    [Fact]
    public async Task An_early_close_cannot_be_undone_nothing_is_counted_while_open_and_the_published_audit_log_verifies()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var keys = Enumerable.Range(0, 2).Select(n => $"lk{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await PaperApi.RoundAsync(admin, [.. keys]);
        var r = $"/api/v1/rounds/{roundId}";
        foreach (var key in keys)
        {
            using var voter = await platform.ApiClientAsync("voter:" + key);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), 1, 2)), 200);
        }

        var open = await HttpAssertions.JsonAsync(await admin.GetAsync(r), 200);
        await HttpAssertions.ProblemAsync(await Post(admin, $"{r}/count"), 409, "not-closed");
        await HttpAssertions.ProblemAsync(await admin.PutAsJsonAsync(r, Edited(open, votingOpens: DateTimeOffset.UtcNow.AddDays(2))), 409, "voting-opens-locked");
        foreach (var other in new[] { "clerk", "screener", "resident-45", "voter:" + keys[0] })
        {
            using var client = await platform.ApiClientAsync(other);
            await HttpAssertions.ProblemAsync(await client.PutAsJsonAsync(r, Edited(open, votingCloses: DateTimeOffset.UtcNow.AddDays(40))), 403, "forbidden");
            await HttpAssertions.ProblemAsync(await Post(client, $"{r}/count"), 403, "forbidden");
        }

        await HttpAssertions.JsonAsync(await Post(admin, $"{r}/close", new { reason = "早期締切の再開テスト" }), 200);
        var closed = await HttpAssertions.JsonAsync(await admin.GetAsync(r), 200);
        await HttpAssertions.ProblemAsync(await admin.PutAsJsonAsync(r, Edited(closed, votingCloses: DateTimeOffset.UtcNow.AddDays(30))), 409, "voting-closed");
        using (var voter = await platform.ApiClientAsync("voter:" + keys[0]))
        {
            await HttpAssertions.ProblemAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), 3)), 409, "window-closed");
        }

        await HttpAssertions.JsonAsync(await Post(admin, $"{r}/count"), 200);
        await HttpAssertions.JsonAsync(await Post(admin, $"{r}/certify"), 200);
        Assert.Equal("counting", (await HttpAssertions.JsonAsync(await admin.GetAsync(r), 200)).GetProperty("phase").GetString());
        await HttpAssertions.JsonAsync(await Post(admin, $"{r}/publish"), 200);

        using var anonymous = await platform.ApiClientAsync();
        Assert.Equal("results", (await HttpAssertions.JsonAsync(await anonymous.GetAsync(r), 200)).GetProperty("phase").GetString());
        Assert.Contains("data-phase=\"Results\"", await anonymous.GetStringAsync($"/rounds/{roundId}"));
        var results = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"{r}/results"), 200);
        var entries = results.GetProperty("auditLog").GetProperty("entries").GetInt64();
        var head = results.GetProperty("auditLog").GetProperty("headSha256").GetString()!;
        Assert.Contains(head, await anonymous.GetStringAsync($"/rounds/{roundId}/results"));

        // The file exactly as served (UTF-8 with a BOM, for Excel) verifies with the published head.
        var served = await (await admin.GetAsync($"{r}/audit.csv")).Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], served[..3]);
        var verified = await AuditVerifier.VerifyAsync(served, entries, head);
        Assert.True(verified.ExitCode == 0, verified.Output);
        var csv = System.Text.Encoding.UTF8.GetString(served[3..]);
        foreach (var action in new[] { "round.created", "round.updated", "paper.facilities-set", "register.loaded", "voting.closed-early",
                     "results.counted", "results.certified", "results.published" })
        {
            Assert.Contains($",{action},", csv);
        }

        // The publication is the entry right after the published head, and names it.
        var published = csv.Split("\r\n")[(int)entries + 1];
        Assert.Contains(",results.published,", published);
        Assert.Contains(head, published);

        var tampered = await AuditVerifier.VerifyAsync(AuditVerifier.EditEntry(csv, 1, ",round.updated,", ",round.unchanged,"), entries, head);
        Assert.NotEqual(0, tampered.ExitCode);
        Assert.Contains("chain broken at entry 2", tampered.Output);
    }

    [Fact]
    public async Task After_the_scheduled_close_the_round_cannot_be_reopened()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin, opens: TimeSpan.FromDays(-2), closes: TimeSpan.FromSeconds(-1));
        var r = $"/api/v1/rounds/{roundId}";
        var round = await HttpAssertions.JsonAsync(await admin.GetAsync(r), 200);
        Assert.Equal("counting", round.GetProperty("phase").GetString());

        var refused = await HttpAssertions.ProblemAsync(await admin.PutAsJsonAsync(r, Edited(round, votingCloses: DateTimeOffset.UtcNow.AddDays(7))), 409, "voting-closed");
        await HttpAssertions.ProblemAsync(await admin.PutAsJsonAsync(r, Edited(round, votingOpens: DateTimeOffset.UtcNow.AddDays(-3))), 409, "voting-opens-locked");

        Assert.Contains("schedule.votingCloses", refused.ToString());
        Assert.Equal(round.GetProperty("schedule").GetProperty("votingCloses").GetString(),
            (await HttpAssertions.JsonAsync(await admin.GetAsync(r), 200)).GetProperty("schedule").GetProperty("votingCloses").GetString());
    }
}
