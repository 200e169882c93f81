using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;
using Chiyoda.Civic.Tests.Rounds;
using static Chiyoda.Civic.Tests.Proposals.ProposalApiSamples;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>
/// The whole chain through the API, step by step as the ward runs it, with no shortcut anywhere: residents
/// propose and submit; staff screen through the three stages (one proposal declined); the shortlist is
/// published; the register is loaded; residents vote online (one changes their mind, one is superseded by
/// paper); a paper batch is keyed by two clerks and committed (one spoiled ballot); voting closes; the count,
/// certification and publication follow; and the published table is what those ballots imply, under the
/// titles the residents wrote.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class WholeChainTests(PlatformFixture platform)
{
    private sealed record Proposed(string Id, string Title, string? TitleEn, int Proposer);

    [Fact]
    public async Task A_residents_proposal_goes_through_screening_the_vote_and_the_count_to_the_published_table()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        using var admin = await platform.ApiClientAsync("admin");
        using var screener = await platform.ApiClientAsync("screener");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        using var anonymous = await platform.ApiClientAsync();
        var residents = new[] { await platform.ApiClientAsync($"voter:wc-{run}-a"), await platform.ApiClientAsync($"voter:wc-{run}-b") };
        var roundId = RoundSamples.NewRoundId();
        var r = $"/api/v1/rounds/{roundId}";
        var now = DateTimeOffset.UtcNow;
        object Round(DateTimeOffset callCloses, DateTimeOffset votingOpens) => new
        {
            name = "全体の流れ",
            nameEn = "The whole chain",
            schedule = new { callOpens = Local(now.AddDays(-10)), callCloses = Local(callCloses), votingOpens = Local(votingOpens), votingCloses = Local(now.AddDays(10)), resultsDue = Local(now.AddDays(20)) },
            rules = new { maxVotesPerVoter = 3, minimumAge = 18, maxProposalsPerProposer = 3, adoptedCount = 2 },
        };

        // 1. The call for proposals is open: two residents propose and submit four proposals.
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync(r, Round(now.AddDays(1), now.AddDays(2))), 201);
        Proposed[] proposed =
        [
            new("p-cal", "学校行事予定の iCalendar 配信", "School calendars as iCalendar feeds", 0),
            new("p-doc", "区からの通知の電子化", null, 0),
            new("p-map", "防災マップのオープンデータ化", "Disaster map as open data", 1),
            new("p-dup", "既存事業と重なる提案", null, 1),
        ];
        foreach (var p in proposed)
        {
            var created = await HttpAssertions.JsonAsync(await residents[p.Proposer].PostAsJsonAsync($"{r}/proposals", new
            {
                proposalId = p.Id, title = p.Title, titleEn = p.TitleEn, summary = $"{p.Title}の概要", problem = "課題", solution = "解決策",
                expectedEffect = "効果", category = "administration", relation = "lives", submit = true,
            }), 201);
            Assert.Equal("submitted", created.GetProperty("status").GetString());
        }

        // 2. The call closes; the administrator assigns the screener to the three stages; the screener screens.
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync(r, Round(now.AddMinutes(-1), now.AddDays(2))), 200);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{r}/screening/assignments/screener", new { name = "審査担当", stages = new[] { 1, 2, 3 } }), 200);
        var all = proposed.Select(p => p.Id).ToArray();
        await DecideAllAsync(screener, r, all, stage: 1, "advance");
        foreach (var id in all)
        {
            await HttpAssertions.JsonAsync(await screener.PostAsJsonAsync($"{r}/proposals/{id}/reviews/scores", new { stage = 2, scores = Scores() }), 200);
        }

        await HttpAssertions.JsonAsync(await screener.PostAsJsonAsync($"{r}/proposals/p-dup/reviews/decisions",
            new { stage = 2, decision = "decline", message = "既存事業と重なるため。" }), 200);
        var kept = all[..3];
        await DecideAllAsync(screener, r, kept, stage: 2, "advance");
        await DecideAllAsync(screener, r, kept, stage: 3, "advance");

        // 3. The shortlist: a declined proposal cannot be on it; the selected ones are published in the committee's order.
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{r}/shortlist/publish", new { proposalIds = new[] { "p-cal", "p-dup" } }), 409, "not-selected");
        string[] ballotOrder = ["p-map", "p-cal", "p-doc"];
        var published = await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{r}/shortlist/publish", new { proposalIds = ballotOrder }), 200);
        var entries = published.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(ballotOrder, entries.Select(e => e.GetProperty("proposalId").GetString()));
        Assert.Equal(ballotOrder.Select(id => proposed.Single(p => p.Id == id).Title), entries.Select(e => e.GetProperty("title").GetString()));
        Assert.Equal(published.GetRawText(), (await HttpAssertions.JsonAsync(await anonymous.GetAsync($"{r}/shortlist"), 200)).GetRawText());

        // 4. Voting opens; the register is loaded.
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync(r, Round(now.AddMinutes(-1), now.AddMinutes(-1))), 200);
        var keys = Enumerable.Range(1, 10).Select(n => $"wc{run}{n:00}").ToArray();
        await PlatformVoting.LoadRegisterAsync(admin, roundId,
            "voter_key,name_kana,birthdate,postcode\n" + string.Join('\n', keys.Select(k => PlatformVoting.Adult(k, "クミン " + k.ToUpperInvariant()))) + "\n");
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{r}/facilities", new[] { new { code = "F01", name = "区役所 1階" } }), 200);

        // 5. Online ballots (voter 0 changes theirs; voter 1's is superseded by paper), then a paper batch keyed twice.
        var online = new (int Voter, int[] Choices)[] { (0, [3]), (0, [1, 2]), (1, [3]), (2, [1]), (3, [1, 3]), (4, [2, 3, 1]), (5, [1]) };
        foreach (var (voter, choices) in online)
        {
            using var client = await platform.ApiClientAsync("voter:" + keys[voter]);
            await HttpAssertions.JsonAsync(await client.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), choices)), 200);
        }

        var today = PaperApi.Today;
        var paper = new StringBuilder("ballot_serial,facility,cast_date,voter_key,choices\n")
            .Append($"S001,F01,{today},{keys[1]},1;2\n")
            .Append($"S002,F01,{today},{keys[6]},2\n")
            .Append($"S003,F01,{today},{keys[7]},\n")
            .ToString();
        var batchId = await PaperApi.OpenBatchAsync(clerk, roundId, 3);
        foreach (var keyer in new[] { clerk, clerk2 })
        {
            await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(keyer, roundId, batchId, PaperApi.Utf8(paper)), 200);
        }

        var committed = await PaperApi.CommitAsync(admin, roundId, batchId);
        var outcomes = PaperApi.FinalBySerial(committed);
        Assert.Equal("accepted-superseding-online", outcomes["S001"].Outcome);
        Assert.Equal("accepted", outcomes["S002"].Outcome);
        Assert.Equal("invalid", outcomes["S003"].Outcome);

        // 6. Close, count, certify, publish.
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{r}/close", new { reason = "全体の流れの試験: 投票期間の終了" }), 200);
        var count = await HttpAssertions.JsonAsync(await admin.PostAsync($"{r}/count", null), 200);
        Assert.Equal(0, count.GetProperty("differences").GetArrayLength());
        await HttpAssertions.JsonAsync(await admin.PostAsync($"{r}/certify", null), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsync($"{r}/publish", null), 200);

        // 7. The published table is what the counted ballots imply: each voter's last online ballot, unless paper superseded it.
        var counted = new Dictionary<int, int[]> { [0] = [1, 2], [1] = [1, 2], [2] = [1], [3] = [1, 3], [4] = [2, 3, 1], [5] = [1], [6] = [2] };
        var expected = counted.Values.SelectMany(c => c).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        var results = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"{r}/results"), 200);
        var table = results.GetProperty("proposals").EnumerateArray().ToDictionary(p => p.GetProperty("ballotNumber").GetInt32());
        Assert.Equal(expected, table.ToDictionary(p => p.Key, p => p.Value.GetProperty("votes").GetInt32()));
        Assert.Equal(ballotOrder, Enumerable.Range(1, 3).Select(n => table[n].GetProperty("proposalId").GetString()));
        Assert.Equal(ballotOrder.Select(id => proposed.Single(p => p.Id == id).Title), Enumerable.Range(1, 3).Select(n => table[n].GetProperty("title").GetString()));
        Assert.Equal("Disaster map as open data", table[1].GetProperty("titleEn").GetString());
        var totals = results.GetProperty("totals");
        Assert.Equal((counted.Count, expected.Values.Sum(), 5, 2, 1),
            (totals.GetProperty("voters").GetInt32(), totals.GetProperty("votes").GetInt32(), totals.GetProperty("onlineVoters").GetInt32(),
             totals.GetProperty("paperVoters").GetInt32(), totals.GetProperty("invalidPaperBallots").GetInt32()));
        var adopted = expected.OrderByDescending(e => e.Value).Take(2).Select(e => e.Key).Order();
        Assert.Equal(adopted, results.GetProperty("adoption").GetProperty("adopted").EnumerateArray().Select(e => e.GetInt32()));

        // The residents who proposed were told each step, up to the ballot number.
        var history = (await HttpAssertions.JsonAsync(await residents[1].GetAsync($"{r}/proposals/p-map"), 200)).GetProperty("history")
            .EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["created", "submitted", "advanced", "advanced", "selected", "shortlisted"], history);
        var inbox = await HttpAssertions.JsonAsync(await residents[1].GetAsync("/api/v1/inbox"), 200);
        Assert.Contains(inbox.EnumerateArray(), n => n.GetProperty("noticeId").GetString()!.StartsWith($"proposal:{roundId}:p-dup:", StringComparison.Ordinal)
            && n.GetProperty("body").GetString()!.Contains("既存事業と重なるため。", StringComparison.Ordinal));
        foreach (var resident in residents)
        {
            resident.Dispose();
        }
    }

    private static async Task DecideAllAsync(HttpClient screener, string r, string[] ids, int stage, string decision)
    {
        var decided = await HttpAssertions.JsonAsync(await screener.PostAsJsonAsync($"{r}/screening/decisions",
            new { proposalIds = ids, stage, decision, batchId = $"stage-{stage}-{decision}" }), 200);
        Assert.All(decided.EnumerateArray(), d => Assert.True(d.GetProperty("succeeded").GetBoolean(), d.ToString()));
    }
}
