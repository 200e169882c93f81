using System.Net.Http.Json;
using Chiyoda.Civic.Replay;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;
using Chiyoda.Civic.Tests.Proposals;
using Chiyoda.Civic.Tests.Rounds;

namespace Chiyoda.Civic.Tests.Security;

/// <summary>
/// Every CSV export (results.csv, ballots.csv, the batch report.csv, audit.csv) and the PABULIB file,
/// written from hostile titles, serials and voter keys, read back by an independent strict RFC 4180
/// parser (npm csv-parse): each parses, and no cell starts with a character that makes a spreadsheet
/// run it (= + - @ tab CR); the hostile values are kept, as text, behind a leading '.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class CsvExportTests(PlatformFixture platform)
{
    private static readonly string[] HostileTitles =
    [
        "=HYPERLINK(\"https://evil.example/\",\"詳しくはこちら\")",
        "+81-3-3264-2111",
        "-2+3",
        "@SUM(A1:A9)",
        "普通の提案, \"引用\" と改行\nあり",
        "=1+1;=2+2",
        "提案 7",
    ];

    private static readonly string[] HostileSerials = ["=1+1", "@A1", "+99", "-1"];

    private static readonly string[] HostileVoterKeys = ["-x", "@y", "=z", "+w"];

    [Fact]
    public async Task Every_export_parses_as_rfc_4180_and_no_cell_is_a_formula()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        var keys = Enumerable.Range(0, 2).Select(n => $"csv{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await HostileRoundAsync(admin, keys);
        foreach (var (key, choices) in new[] { (keys[0], new[] { 1, 2 }), (keys[1], new[] { 1, 2, 5 }) })
        {
            using var voter = await platform.ApiClientAsync("voter:" + key);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), choices)), 200);
        }

        // A paper batch whose serials and voter keys are hostile, keyed twice and committed: its report lists them.
        var file = "ballot_serial,facility,cast_date,voter_key,choices\r\n"
            + string.Join("\r\n", HostileSerials.Select((s, i) => $"\"{s}\",F01,{PaperApi.Today},\"{HostileVoterKeys[i]}\",1"));
        var batchId = await PaperApi.OpenBatchAsync(clerk, roundId, HostileSerials.Length);
        await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(clerk, roundId, batchId, PaperApi.Utf8(file)), 200);
        await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(clerk2, roundId, batchId, PaperApi.Utf8(file)), 200);
        // Every line is malformed (the serials are not serials), so the numbers do not add up: an administrator commits with a reason.
        await PaperApi.CommitAsync(admin, roundId, batchId, "CSV の検査: 不正な行だけの束");
        var report = await CheckedAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}/report.csv"));
        Assert.Equal(["line", "ballot_serial", "voter_key", "outcome", "reason"], report.Records[0]);
        Assert.Equal(HostileSerials.Select(s => "'" + s).Order(), report.Records.Skip(1).Select(r => r[1]).Order());
        Assert.Equal(HostileVoterKeys.Select(k => "'" + k).Order(), report.Records.Skip(1).Select(r => r[2]).Order());

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "CSV の検査" }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);

        using var anonymous = await platform.ApiClientAsync();
        var published = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        var results = await CheckedAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results.csv"), published);
        Assert.Equal(["item", "ballot_number", "proposal_id", "title", "title_en", "count", "rank", "adopted", "tied"], results.Records[0]);
        // tied says what the JSON says, proposal by proposal (two proposals of 2 votes, five of 0 here); totals leave it empty.
        Assert.Equal(published.GetProperty("proposals").EnumerateArray().ToDictionary(p => p.GetProperty("ballotNumber").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                p => p.GetProperty("tied").GetBoolean() ? "true" : "false"),
            results.Records.Where(r => r[0] == "proposal").ToDictionary(r => r[1], r => r[8]));
        Assert.Contains(results.Records, r => r[0] == "proposal" && r[8] == "true");
        Assert.All(results.Records.Where(r => r[0] is not ("proposal" or "item")), r => Assert.Equal("", r[8]));
        var titles = results.Records.Where(r => r[0] == "proposal").Select(r => r[3]).ToList();
        Assert.Equal(HostileTitles.Length, titles.Count);
        foreach (var title in HostileTitles)
        {
            Assert.Contains(title[0] is '=' or '+' or '-' or '@' ? "'" + title : title, titles);
        }

        var ballots = await CheckedAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/ballots.csv"), published);
        Assert.Equal(["ballot_id", "channel", "choices"], ballots.Records[0]);
        Assert.Equal(2, ballots.Records.Count - 1);

        // PABULIB: ';'-separated sections of different widths; the names are free text, so neutralised too.
        var pabulib = await CsvCheck.ParseAsync(await anonymous.GetStringAsync($"/api/v1/rounds/{roundId}/ballots.pb"), ';', relaxColumnCount: true);
        Assert.Empty(pabulib.FormulaCells);
        var projects = pabulib.Records.SkipWhile(r => r[0] != "PROJECTS").Skip(2).TakeWhile(r => r[0] != "VOTES").ToList();
        Assert.Equal(HostileTitles.Length, projects.Count);
        Assert.Contains(projects, p => p[3].StartsWith("'=HYPERLINK(", StringComparison.Ordinal));
        await AssertPabulibAsync(anonymous, roundId, await anonymous.GetStringAsync($"/api/v1/rounds/{roundId}/ballots.pb"));

        var audit = await CheckedAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/audit.csv"));
        Assert.Equal("entry_id", audit.Records[0][0]);
        Assert.True(audit.Records.Count > 3);
    }

    /// <summary>The PABULIB file by the format's rules (<see cref="PabulibSpec"/>), with this round's values.</summary>
    private static async Task AssertPabulibAsync(HttpClient client, string roundId, string text)
    {
        var pb = PabulibSpec.Parse(text);
        var round = await HttpAssertions.JsonAsync(await client.GetAsync($"/api/v1/rounds/{roundId}"), 200);
        var schedule = round.GetProperty("schedule");
        string WardDate(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(9)).ToString("dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(WardDate(schedule.GetProperty("votingOpens").GetDateTimeOffset()), pb["date_begin"]);
        Assert.Equal(WardDate(schedule.GetProperty("votingCloses").GetDateTimeOffset()), pb["date_end"]);
        // The rule (3 votes each), not the longest ballot cast (also 3 here: so also checked on a round whose ballots are shorter).
        Assert.Equal(round.GetProperty("rules").GetProperty("maxVotesPerVoter").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), pb["max_length"]);
        Assert.Equal("approval", pb["vote_type"]);
        Assert.Equal("2", pb["num_votes"]);
        Assert.Equal(roundId, pb["instance"]);
        // Names keep their ';' and '"' (quoted, the quote doubled), on one line, as the ballot printed them.
        var names = pb.Projects.Select(p => p["name"]).ToList();
        Assert.Contains("'=1+1;=2+2", names);
        Assert.Contains("普通の提案, \"引用\" と改行 あり", names);
        Assert.Equal(["2", "2", "0", "0", "1", "0", "0"], pb.Projects.OrderBy(p => int.Parse(p["project_id"], System.Globalization.CultureInfo.InvariantCulture)).Select(p => p["votes"]));
    }

    /// <summary>
    /// A CSV download as served: text/csv in UTF-8 with a BOM (so Japanese Excel reads it as UTF-8), read by csv-parse
    /// from those bytes; with the results JSON, the digest it lists for the file is the SHA-256 of the bytes served.
    /// </summary>
    private static async Task<CsvCheck.Parsed> CheckedAsync(HttpResponseMessage response, System.Text.Json.JsonElement? published = null)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        if (published is { } json)
        {
            var name = response.RequestMessage!.RequestUri!.Segments[^1];
            var listed = json.GetProperty("downloads").EnumerateArray().Single(d => d.GetProperty("name").GetString() == name);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), listed.GetProperty("sha256").GetString());
        }

        var parsed = await CsvCheck.ParseAsync(bytes);
        Assert.DoesNotContain('\uFEFF', parsed.Records[0][0]);
        Assert.True(parsed.FormulaCells.Count == 0, "cells a spreadsheet would run: " + string.Join(" | ", parsed.FormulaCells));
        Assert.All(parsed.Records, r => Assert.Equal(parsed.Records[0].Count, r.Count));
        return parsed;
    }

    /// <summary>
    /// An open round whose shortlist titles are the hostile ones (proposed by residents and screened onto the ballot,
    /// the only way onto it), with the voters on its register and facility F01.
    /// </summary>
    private static async Task<string> HostileRoundAsync(HttpClient admin, IReadOnlyList<string> keys)
    {
        var roundId = RoundSamples.NewRoundId();
        var now = DateTimeOffset.UtcNow;
        await new ShortlistThroughScreening(PlatformAccounts.Of(admin)).CreateRoundAsync(roundId, "=CSV検査の募集回", null,
            new ChainSchedule(now.AddDays(-60), now.AddDays(-30), now.AddDays(-1), now.AddDays(30), now.AddDays(60)), null,
            [.. HostileTitles.Select((t, i) => new ChainProposal($"p-{i + 1:000}", t, "@en" + i, "-概要"))]);
        await PlatformVoting.LoadRegisterAsync(admin, roundId, "voter_key,name_kana,birthdate,postcode\n" + string.Join('\n', keys.Select(k => PlatformVoting.Adult(k))));
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}/facilities",
            new[] { new { code = "F01", name = "@区役所 1階" } }), 200);
        return roundId;
    }
}
