using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Satisfaction;

/// <summary>
/// 「満足度」 through the API against the running platform, then the statistics and ward-wide open data built from the same
/// round: a rating after voting and one from the results page, each person once, nothing before publication, nothing that
/// names a person or a ballot, small cells hidden, files that csv-parse reads and whose digests are their bytes.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SatisfactionApiTests(PlatformFixture platform)
{
    /// <summary>
    /// One person, one code: someone not on the round's register was told "no-ballot" by the ballot page's check and
    /// "not-on-register" by the answer from the results page. Who may answer is checked first, for both sources, and the
    /// document says so on both operations.
    /// </summary>
    [Fact]
    public async Task Someone_not_on_the_register_gets_not_on_register_from_the_check_and_the_answer_whichever_the_source()
    {
        const string rate = "/api/v1/rounds/demo-2024/satisfaction";
        using var worker = await platform.ApiClientAsync("worker");
        foreach (var source in new[] { "after-voting", "results" })
        {
            var mine = await HttpAssertions.JsonAsync(await worker.GetAsync($"{rate}/mine?source={source}"), 200);
            Assert.Equal(("closed", "not-on-register"), (mine.GetProperty("state").GetString(), mine.GetProperty("code").GetString()));
            await HttpAssertions.ProblemAsync(await worker.PostAsJsonAsync(rate, new { rating = 4, source }), 403, "not-on-register");
        }

        using var anonymous = await platform.ApiClientAsync();
        var document = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/openapi.json"), 200);
        var operations = document.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/api/v1/rounds/{roundId}/satisfaction/mine", "get"), ("/api/v1/rounds/{roundId}/satisfaction", "post") })
        {
            var description = operations.GetProperty(path).GetProperty(method).GetProperty("description").GetString()!;
            Assert.Contains("`not-on-register`", description, StringComparison.Ordinal);
            Assert.Contains("`no-ballot`", description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Ratings_are_once_per_person_anonymous_and_published_only_with_the_results_in_the_statistics_and_open_data()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var anonymous = await platform.ApiClientAsync();
        // Three voters, one person on the register who does not vote, one more who writes a contact detail.
        var keys = Enumerable.Range(0, 5).Select(n => $"s{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await PaperApi.RoundAsync(admin, [.. keys]);
        var rate = $"/api/v1/rounds/{roundId}/satisfaction";

        using var first = await platform.ApiClientAsync("voter:" + keys[0]);
        using var second = await platform.ApiClientAsync("voter:" + keys[1]);
        using var third = await platform.ApiClientAsync("voter:" + keys[2]);

        // Before voting there is nothing to rate after voting.
        Assert.Equal("closed", (await HttpAssertions.JsonAsync(await first.GetAsync($"{rate}/mine?source=after-voting"), 200)).GetProperty("state").GetString());
        await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync(rate, new { rating = 4, source = "after-voting" }), 403, "no-ballot");

        foreach (var (client, choices) in new[] { (first, new[] { 1, 2 }), (second, new[] { 1 }), (third, new[] { 2, 3 }) })
        {
            await HttpAssertions.JsonAsync(await client.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), choices)), 200);
        }

        // Bad input: each with its own code and field.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(rate, new { rating = 4, source = "after-voting" })).StatusCode);
        var zero = await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync(rate, new { rating = 0, source = "after-voting" }), 400, "invalid-rating");
        Assert.Equal("rating", zero.GetProperty("errors")[0].GetProperty("field").GetString());
        await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync(rate, new { rating = 6, source = "after-voting" }), 400, "invalid-rating");
        await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync(rate, new { rating = 4, comment = new string('あ', 201), source = "after-voting" }), 400, "invalid-comment");
        await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync(rate, new { rating = 4, source = "ballot" }), 400, "invalid-source");
        await HttpAssertions.ProblemAsync(await first.PostAsync(rate, new StringContent("{", Encoding.UTF8, "application/json")), 400, "malformed-request");
        await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync("/api/v1/rounds/no-such-round/satisfaction", new { rating = 4, source = "after-voting" }), 404, "round-not-found");
        // The results page's question waits for the results.
        await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync(rate, new { rating = 4, source = "results" }), 409, "satisfaction-not-open");

        // After voting: counted once; a second answer, from anywhere, is refused.
        Assert.Equal("open", (await HttpAssertions.JsonAsync(await first.GetAsync($"{rate}/mine?source=after-voting"), 200)).GetProperty("state").GetString());
        var comment = "投票が分かりやすかった\n次回も参加したい";
        var counted = await HttpAssertions.JsonAsync(await first.PostAsJsonAsync(rate, new { rating = 5, comment, source = "after-voting" }), 200);
        Assert.Equal((true, "voter"), (counted.GetProperty("counted").GetBoolean(), counted.GetProperty("countedAs").GetString()));
        await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync(rate, new { rating = 1, source = "after-voting" }), 409, "already-rated");
        Assert.Equal("already-rated", (await HttpAssertions.JsonAsync(await first.GetAsync($"{rate}/mine?source=after-voting"), 200)).GetProperty("state").GetString());

        // No aggregate while the results are not published (the vote is even still open).
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync(rate), 404, "results-not-published");
        // Not even administrators read the answers before publication.
        await HttpAssertions.ProblemAsync(await admin.GetAsync($"{rate}/comments"), 409, "satisfaction-not-open");

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "テスト: 早期締切" }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);

        // The anonymised ballots in ballots.csv and the PABULIB votes section come in the order of their ids, never of arrival.
        var ballotIds = Encoding.UTF8.GetString(await anonymous.GetByteArrayAsync($"/api/v1/rounds/{roundId}/ballots.csv")).TrimStart('\uFEFF')
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[0]).ToList();
        Assert.Equal(3, ballotIds.Count);
        Assert.Equal(ballotIds.Order(StringComparer.Ordinal), ballotIds);
        var pb = await anonymous.GetStringAsync($"/api/v1/rounds/{roundId}/ballots.pb");
        const string votesHeader = "voter_id;vote;voting_method\r\n";
        Assert.Equal(ballotIds, pb[(pb.IndexOf(votesHeader, StringComparison.Ordinal) + votesHeader.Length)..]
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(';')[0]));

        // From the results page: the second voter answers (counted as a voter); the first (who answered after voting) may not again.
        Assert.Equal("voter", (await HttpAssertions.JsonAsync(await second.PostAsJsonAsync(rate, new { rating = 2, source = "results" }), 200)).GetProperty("countedAs").GetString());
        await HttpAssertions.ProblemAsync(await first.PostAsJsonAsync(rate, new { rating = 3, source = "results" }), 409, "already-rated");
        Assert.Equal("already-rated", (await HttpAssertions.JsonAsync(await first.GetAsync($"{rate}/mine?source=results"), 200)).GetProperty("state").GetString());

        // A person on the register without a ballot in this round: the ballot page's question is not theirs (the check and
        // the answer agree), the results page's is, and the answer is counted apart from the voters'.
        using (var outsider = await platform.ApiClientAsync("voter:" + keys[3]))
        {
            var closed = await HttpAssertions.JsonAsync(await outsider.GetAsync($"{rate}/mine?source=after-voting"), 200);
            Assert.Equal(("closed", "no-ballot"), (closed.GetProperty("state").GetString(), closed.GetProperty("code").GetString()));
            await HttpAssertions.ProblemAsync(await outsider.PostAsJsonAsync(rate, new { rating = 5, source = "after-voting" }), 403, "no-ballot");
            Assert.Equal("open", (await HttpAssertions.JsonAsync(await outsider.GetAsync($"{rate}/mine?source=results"), 200)).GetProperty("state").GetString());
            Assert.Equal("non-voter", (await HttpAssertions.JsonAsync(await outsider.PostAsJsonAsync(rate, new { rating = 1, source = "results" }), 200)).GetProperty("countedAs").GetString());
            Assert.Equal("already-rated", (await HttpAssertions.JsonAsync(await outsider.GetAsync($"{rate}/mine?source=results"), 200)).GetProperty("state").GetString());
            await HttpAssertions.ProblemAsync(await outsider.PostAsJsonAsync(rate, new { rating = 5, source = "results" }), 409, "already-rated");
        }

        // Not on the round's register (a resident of the demo register, a worker) or too young to have voted in it: refused,
        // so nobody can push the figure with accounts of their own.
        foreach (var (account, code) in new[] { ("resident-45", "not-on-register"), ("worker", "not-on-register"), ("voter:young", "under-age") })
        {
            using var stranger = await platform.ApiClientAsync(account);
            var closed = await HttpAssertions.JsonAsync(await stranger.GetAsync($"{rate}/mine?source=results"), 200);
            Assert.Equal(("closed", code), (closed.GetProperty("state").GetString(), closed.GetProperty("code").GetString()));
            await HttpAssertions.ProblemAsync(await stranger.PostAsJsonAsync(rate, new { rating = 1, source = "results" }), 403, code);
        }

        // What storage keeps of who answered: keyed marks only (no rating, comment, source or day), none of them a plain hash
        // of a register key or account; and the answers' counts hold nobody's key.
        var table = new TableClient(platform.StorageConnectionString, "CivicGrainState");
        async Task<List<string>> StoredAsync(string grainType)
        {
            var prefix = $"{platform.ServiceId}_{grainType}_{roundId}:";
            var rows = new List<string>();
            await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(prefix) >= 0 && e.PartitionKey.CompareTo(prefix + "~") < 0))
            {
                rows.Add(Encoding.UTF8.GetString(row.GetBinary("Data") ?? Encoding.UTF8.GetBytes(row.GetString("StringData") ?? "")));
            }

            return rows;
        }

        var marks = (await StoredAsync("satisfaction-raters")).Select(text => JsonDocument.Parse(text)).ToList();
        var stored = marks.SelectMany(m => m.RootElement.GetProperty("Raters").EnumerateArray().Select(r => r.GetString()!)).ToList();
        Assert.Equal(3, stored.Count); // the first and second voters and the register's non-voter
        Assert.All(marks, m => Assert.Equal(["Raters"], m.RootElement.EnumerateObject().Select(p => p.Name)));
        Assert.All(stored, mark => Assert.Matches("^[0-9a-f]{32}$", mark));
        foreach (var key in keys)
        {
            Assert.DoesNotContain(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32].ToLowerInvariant(), stored);
            Assert.DoesNotContain(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"civic-satisfaction\n{roundId}\nvoter:{key}")))[..32].ToLowerInvariant(), stored);
        }

        var answers = string.Join("\n", await StoredAsync("satisfaction-shard"));
        Assert.Contains("Counts", answers, StringComparison.Ordinal);
        Assert.All(keys, key => Assert.DoesNotContain(key, answers, StringComparison.Ordinal));

        // Satisfaction is published as one total from 30 answers: with 3 so far, nothing but that it is not published.
        var summary = await HttpAssertions.JsonAsync(await anonymous.GetAsync(rate), 200);
        Assert.Equal((false, 30), (summary.GetProperty("published").GetBoolean(), summary.GetProperty("minimumAnswers").GetInt32()));
        foreach (var name in new[] { "count", "distribution", "mean", "satisfiedPercent" })
        {
            Assert.True(!summary.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null, $"{name} is not published under 30 answers");
        }

        // A comment with a phone number or an email address is refused: the answer is anonymous.
        using (var talkative = await platform.ApiClientAsync("voter:" + keys[4]))
        {
            var contact = await HttpAssertions.ProblemAsync(await talkative.PostAsJsonAsync(rate, new { rating = 4, comment = "山田です。090-1234-5678 に連絡ください", source = "results" }), 400, "comment-contact-details");
            Assert.Equal("comment", contact.GetProperty("errors")[0].GetProperty("field").GetString());
            Assert.Equal("open", (await HttpAssertions.JsonAsync(await talkative.GetAsync($"{rate}/mine?source=results"), 200)).GetProperty("state").GetString());
        }

        // Administrators read the comment: its rating and day, nothing about who (no account, ballot, receipt or time of day).
        await HttpAssertions.ProblemAsync(await first.GetAsync($"{rate}/comments"), 403, "forbidden");
        var comments = await HttpAssertions.JsonAsync(await admin.GetAsync($"{rate}/comments"), 200);
        var kept = Assert.Single(comments.GetProperty("comments").EnumerateArray());
        Assert.Equal("投票が分かりやすかった 次回も参加したい", kept.GetProperty("text").GetString());
        Assert.Equal(5, kept.GetProperty("rating").GetInt32());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", kept.GetProperty("day").GetString());
        Assert.Equal(["day", "rating", "source", "text"], kept.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var raw = comments.GetRawText();
        foreach (var key in keys)
        {
            Assert.DoesNotContain(key, raw, StringComparison.Ordinal);
        }

        // Statistics: the round, with its proposals, shortlist, adoption, turnout and satisfaction; small cells hidden.
        var statistics = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/statistics.json"), 200);
        var mine = statistics.GetProperty("rounds").EnumerateArray().Single(r => r.GetProperty("roundId").GetString() == roundId);
        Assert.Equal(3, mine.GetProperty("voters").GetInt32());
        Assert.Equal(2, mine.GetProperty("adopted").GetInt32());
        Assert.True(mine.GetProperty("shortlisted").GetInt32() >= 3);
        Assert.True(mine.GetProperty("proposals").GetInt32() >= mine.GetProperty("shortlisted").GetInt32());
        var online = mine.GetProperty("byChannel").EnumerateArray().Single(c => c.GetProperty("group").GetString() == "online");
        Assert.Equal(JsonValueKind.Null, online.GetProperty("count").ValueKind);
        Assert.False(mine.GetProperty("satisfaction").GetProperty("published").GetBoolean());
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("satisfaction").GetProperty("count").ValueKind);
        Assert.Contains(statistics.GetProperty("years").EnumerateArray(), y => y.GetProperty("fiscalYear").GetInt32() == mine.GetProperty("fiscalYear").GetInt32());

        // Open data: every file's digest in the index is its bytes' SHA-256 and its Repr-Digest; CSVs are UTF-8 with BOM and read by csv-parse.
        var index = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/open-data"), 200);
        var files = index.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(6, files.Count);
        var csvs = new Dictionary<string, CsvCheck.Parsed>();
        foreach (var file in files)
        {
            var href = file.GetProperty("href").GetString()!;
            using var get = await anonymous.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var bytes = await get.Content.ReadAsByteArrayAsync();
            var sha256 = SHA256.HashData(bytes);
            Assert.Equal(Convert.ToHexStringLower(sha256), file.GetProperty("sha256").GetString());
            Assert.Equal($"sha-256=:{Convert.ToBase64String(sha256)}:", Assert.Single(get.Headers.GetValues("Repr-Digest")));
            if (href.EndsWith(".csv", StringComparison.Ordinal))
            {
                Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
                var parsed = await CsvCheck.ParseAsync(bytes);
                Assert.Empty(parsed.FormulaCells);
                csvs[href] = parsed;
            }
        }

        var stats = csvs["/api/v1/statistics.csv"].Records;
        Assert.Equal(["scope", "id", "fiscal_year", "measure", "group", "value", "suppressed"], stats[0]);
        Assert.Contains(stats, r => r[0] == "round" && r[1] == roundId && r[3] == "voters" && r[5] == "3");
        Assert.Contains(stats, r => r[0] == "round" && r[1] == roundId && r[3] == "voters_by_channel" && r[4] == "online" && r[5] == "" && r[6] == "true");
        Assert.All(stats.Where(r => r[0] == "round" && r[1] == roundId && r[3].StartsWith("satisfaction", StringComparison.Ordinal)),
            r => Assert.Equal(("", "true"), (r[5], r[6])));
        Assert.Equal(8, stats.Count(r => r[0] == "round" && r[1] == roundId && r[3].StartsWith("satisfaction", StringComparison.Ordinal)));
        Assert.DoesNotContain(stats, r => r[3].Contains("nonvoters", StringComparison.Ordinal));

        // Every round's proposals with where they ended: the two adopted, the third not, and the page's figures agree.
        var proposals = csvs["/api/v1/proposals.csv"].Records;
        var header = proposals[0].ToList();
        var ofRound = proposals.Where(r => r[0] == roundId).ToDictionary(r => r[1], r => r[header.IndexOf("final_status")]);
        Assert.Equal("adopted", ofRound["p-001"]);
        Assert.Equal("adopted", ofRound["p-002"]);
        Assert.Equal("not-adopted", ofRound["p-003"]);
        var adoptedRow = proposals.Single(r => r[0] == roundId && r[1] == "p-001");
        Assert.Equal("adopted", adoptedRow[header.IndexOf("implementation_status")]);
        Assert.Equal("2", adoptedRow[header.IndexOf("votes")]);
        Assert.DoesNotContain(proposals.SelectMany(r => r), cell => keys.Any(k => cell.Contains(k, StringComparison.Ordinal)));

        // The public page shows the same figures.
        var page = await anonymous.GetStringAsync("/statistics");
        Assert.Contains("統計", page, StringComparison.Ordinal);
        Assert.Contains($"data-round=\"{roundId}\"", page, StringComparison.Ordinal);
        Assert.Contains("非表示（10人未満）", page, StringComparison.Ordinal);
        Assert.Contains("満足度は回答が30件以上の回のみ公表", page, StringComparison.Ordinal);
    }

    /// <summary>Served from the output cache: the middleware adds the entry's age.</summary>
    private static bool FromCache(HttpResponseMessage response) => response.Headers.Age is not null;

    /// <summary>
    /// The walk's attacks: nine answers one controls plus one more must show nothing (no group under 30 is published); then read
    /// every public figure, let one more person answer, read again: nothing may change (page, satisfaction API, statistics.json,
    /// statistics.csv) until 30 answers have arrived since the last snapshot. The
    /// anonymous 「統計」 page and files come from the output cache, and a publication or a new snapshot empties it.
    /// </summary>
    [Fact]
    public async Task One_more_answer_changes_no_public_figure_and_the_statistics_are_cached_until_a_publication_or_snapshot()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var anonymous = await platform.ApiClientAsync();
        var key = $"d{Guid.NewGuid():N}"[..12];
        // One voter and sixty more people on the register who answer from the results page without having voted.
        var roundId = await PaperApi.RoundAsync(admin, [key, .. Enumerable.Range(0, 60).Select(n => $"n{n}{key}")]);
        using (var voter = await platform.ApiClientAsync("voter:" + key))
        {
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), [1, 2])), 200);
        }

        // Anonymous reads of 「統計」 and its files: the second comes from the cache; the publication empties it.
        var probe = Guid.NewGuid().ToString("N");
        var pagePath = $"/statistics?probe={probe}";
        var filePath = $"/api/v1/statistics.json?probe={probe}";
        foreach (var path in new[] { pagePath, filePath })
        {
            using var first = await anonymous.GetAsync(path);
            Assert.False(FromCache(first), path);
            Assert.DoesNotContain(roundId, await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var second = await anonymous.GetAsync(path);
            Assert.True(FromCache(second), path + ": the second anonymous read should come from the cache");
        }

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "テスト: 早期締切" }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);
        foreach (var path in new[] { pagePath, filePath })
        {
            using var after = await anonymous.GetAsync(path);
            Assert.False(FromCache(after), path + ": a publication must empty the cached statistics");
            Assert.Contains(roundId, await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var rate = $"/api/v1/rounds/{roundId}/satisfaction";
        var raters = 0;
        async Task AnswerAsync(int count, Func<int, int> ratingOf)
        {
            for (var i = 0; i < count; i++, raters++)
            {
                using var person = await platform.ApiClientAsync($"voter:n{raters}{key}");
                var rating = ratingOf(raters);
                Assert.Equal("non-voter", (await HttpAssertions.JsonAsync(await person.PostAsJsonAsync(rate, new { rating, source = "results" }), 200)).GetProperty("countedAs").GetString());
            }
        }

        // Every public figure of the round, read past the cache (a bearer token is never served from it).
        async Task<string> FiguresAsync()
        {
            var summary = await admin.GetStringAsync(rate);
            using var json = JsonDocument.Parse(await admin.GetByteArrayAsync("/api/v1/statistics.json"));
            var round = json.RootElement.GetProperty("rounds").EnumerateArray().Single(r => r.GetProperty("roundId").GetString() == roundId).GetRawText();
            var years = json.RootElement.GetProperty("years").GetRawText();
            var csv = Encoding.UTF8.GetString(await admin.GetByteArrayAsync("/api/v1/statistics.csv")).Split("\r\n")
                .Where(line => line.Contains(roundId, StringComparison.Ordinal) || line.StartsWith("year,", StringComparison.Ordinal));
            var page = await admin.GetStringAsync("/statistics");
            var at = page.IndexOf($"data-round=\"{roundId}\"", StringComparison.Ordinal);
            Assert.True(at > 0, "the round is on 「統計」");
            var section = page[at..page.IndexOf("</section>", at, StringComparison.Ordinal)];
            return string.Join("\n---\n", summary, round, years, string.Join("\n", csv), section);
        }

        // Nine answers one person controls (all 1), then someone else's: no public figure changes, whatever they answered,
        // because nothing is published under 30 answers (the testers' "mean 1.40, 10 % satisfied" cannot appear).
        await AnswerAsync(9, _ => 1);
        var nine = await FiguresAsync();
        await AnswerAsync(1, _ => 5);
        var ten = await FiguresAsync();
        Assert.Equal(nine, ten);
        Assert.False((await HttpAssertions.JsonAsync(await anonymous.GetAsync(rate), 200)).GetProperty("published").GetBoolean());

        // At 30 answers the round's one total is published whole.
        await AnswerAsync(20, n => n % 5 + 1);
        var published = await HttpAssertions.JsonAsync(await anonymous.GetAsync(rate), 200);
        Assert.Equal((true, 30), (published.GetProperty("published").GetBoolean(), published.GetProperty("count").GetInt32()));
        Assert.Equal(5, published.GetProperty("distribution").GetArrayLength());
        var before = await FiguresAsync();
        Assert.NotEqual(ten, before);
        Assert.Contains("\"count\":30", before.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        // Someone known answers: nothing public changes, so their answer cannot be read off a difference.
        await AnswerAsync(1, _ => 5);
        Assert.Equal(before, await FiguresAsync());

        using (var cached = await anonymous.GetAsync(pagePath))
        {
            Assert.False(FromCache(cached));
        }

        using (var cached = await anonymous.GetAsync(pagePath))
        {
            Assert.True(FromCache(cached), "the statistics stay cached while no snapshot is taken");
        }

        // Thirty answers after the snapshot: the next one is published, and the cached page with it is dropped.
        await AnswerAsync(28, n => n % 5 + 1);
        Assert.Equal(before, await FiguresAsync());
        await AnswerAsync(1, n => n % 5 + 1);
        var moved = await FiguresAsync();
        Assert.NotEqual(before, moved);
        Assert.Equal(60, (await HttpAssertions.JsonAsync(await anonymous.GetAsync(rate), 200)).GetProperty("count").GetInt32());
        using (var fresh = await anonymous.GetAsync(pagePath))
        {
            Assert.False(FromCache(fresh), "a new satisfaction snapshot must empty the cached statistics");
        }
    }
}
