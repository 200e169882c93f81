using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using static Chiyoda.Civic.Tests.Proposals.ProposalApiSamples;

namespace Chiyoda.Civic.Tests.Screening;

/// <summary>
/// The 2024 round's first half through the API: 95 proposals from 5 proposers, screened through the
/// three stages, 7 shortlisted. Every proposal ends in the right state, the inboxes hold the right
/// notices, the audit log holds every staff action, and no private note leaks.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class FirstHalfAcceptanceTests(PlatformFixture platform)
{
    private const int Proposers = 5;
    private const int PerProposer = 19;
    private const string NoteMarker = "PRIVATE-NOTE";

    private enum Fate { Withdrawn, DeclinedAtIntake, ReturnedAtIntake, ReturnedThenDeclined, DeclinedAtStage2, DeclinedAtStage3, Shortlisted }

    private static Fate FateOf(int i) => i switch
    {
        < 5 => Fate.Withdrawn,
        < 15 => Fate.DeclinedAtIntake,
        15 => Fate.ReturnedAtIntake,
        16 => Fate.ReturnedThenDeclined,
        < 60 => Fate.DeclinedAtStage2,
        < 88 => Fate.DeclinedAtStage3,
        _ => Fate.Shortlisted,
    };

    private static string[] NoticesFor(Fate fate) => fate switch
    {
        Fate.Withdrawn => ["submitted", "withdrawn"],
        Fate.DeclinedAtIntake => ["submitted", "declined"],
        Fate.ReturnedAtIntake => ["submitted", "returned"],
        Fate.ReturnedThenDeclined => ["submitted", "advanced", "returned", "resubmitted", "declined"],
        Fate.DeclinedAtStage2 => ["submitted", "advanced", "declined"],
        Fate.DeclinedAtStage3 => ["submitted", "advanced", "advanced", "declined"],
        _ => ["submitted", "advanced", "advanced", "selected", "shortlisted"],
    };

    [Fact]
    public async Task The_2024_round_first_half_runs_end_to_end()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var screener = await platform.ApiClientAsync("screener");
        using var anonymous = await platform.ApiClientAsync();
        var roundId = await OpenRoundAsync(admin, PerProposer);
        var r = $"/api/v1/rounds/{roundId}";
        var staffActions = 1; // creating the round is audited too
        async Task StaffAsync(HttpClient client, string path, object body)
        {
            await HttpAssertions.JsonAsync(await client.PostAsJsonAsync(path, body), 200);
            Interlocked.Increment(ref staffActions);
        }

        // The screener screens stages 1 and 2; the committee (stage 3) is the administrator's.
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{r}/screening/assignments/screener", new { name = "審査担当", stages = new[] { 1, 2 } }), 200);
        staffActions++;

        // 95 proposals from 5 proposers (19 each, the round's limit).
        var run = Guid.NewGuid().ToString("N")[..6];
        var clients = new HttpClient[Proposers];
        var subs = new string[Proposers];
        for (var k = 0; k < Proposers; k++)
        {
            subs[k] = $"voter:acc-{run}-{k}";
            clients[k] = await platform.ApiClientAsync(subs[k]);
        }

        var ids = new string[Proposers * PerProposer];
        await Parallel.ForEachAsync(Enumerable.Range(0, Proposers), async (k, _) =>
        {
            for (var j = 0; j < PerProposer; j++)
            {
                var i = k * PerProposer + j;
                ids[i] = $"p-{i:D3}";
                await CreateAsync(clients[k], roundId, $"提案 {i:D3}", submit: true, proposalId: ids[i]);
            }
        });
        int Owner(int i) => i / PerProposer;
        await HttpAssertions.ProblemAsync(await clients[0].PostAsJsonAsync($"{r}/proposals", Body("96件目")), 409, "proposal-limit");

        foreach (var i in Enumerable.Range(0, 95).Where(i => FateOf(i) == Fate.Withdrawn))
        {
            await HttpAssertions.JsonAsync(await clients[Owner(i)].PostAsJsonAsync($"{r}/proposals/{ids[i]}/withdraw", new { reason = "取り下げます" }), 200);
        }

        await CloseCallAsync(admin, roundId, PerProposer);
        staffActions++; // so is every change of the round

        // Stage 1, intake: the screener checks each, with a private note.
        var live = Enumerable.Range(0, 95).Where(i => FateOf(i) != Fate.Withdrawn).ToList();
        await Parallel.ForEachAsync(live, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var p = $"{r}/proposals/{ids[i]}";
            await StaffAsync(screener, $"{p}/reviews/notes", new { stage = 1, noteId = "intake", text = $"{NoteMarker}-{i} 申請者の所在を確認済み" });
            var (decision, message) = FateOf(i) switch
            {
                Fate.DeclinedAtIntake => ("decline", "区内在住・在勤・在学の要件を満たしていません。"),
                Fate.ReturnedAtIntake => ("return", "期待される効果を具体的に書いてください。"),
                _ => ("advance", (string?)null),
            };
            await StaffAsync(screener, $"{p}/reviews/decisions", new { stage = 1, decision, message, decisionId = "intake" });
        });

        // A retried decision has no second effect; the screener may not act at the committee stage.
        await HttpAssertions.JsonAsync(await screener.PostAsJsonAsync($"{r}/proposals/{ids[20]}/reviews/decisions", new { stage = 1, decision = "advance", decisionId = "intake" }), 200);
        await HttpAssertions.ProblemAsync(await screener.PostAsJsonAsync($"{r}/proposals/{ids[20]}/reviews/decisions", new { stage = 3, decision = "advance" }), 409, "stage-mismatch");

        // Stage 2, departmental review: scores, then decisions (one return and resubmission).
        var atStage2 = live.Where(i => FateOf(i) is not (Fate.DeclinedAtIntake or Fate.ReturnedAtIntake)).ToList();
        await Parallel.ForEachAsync(atStage2, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var p = $"{r}/proposals/{ids[i]}";
            await StaffAsync(screener, $"{p}/reviews/scores", new { stage = 2, scores = Scores(benefit: 1 + (i % 5)) });
            await StaffAsync(screener, $"{p}/reviews/notes", new { stage = 2, noteId = "dept", text = $"{NoteMarker}-{i} 所管課の内部評価" });
        });

        var returned = ids[atStage2.Single(i => FateOf(i) == Fate.ReturnedThenDeclined)];
        await StaffAsync(screener, $"{r}/proposals/{returned}/reviews/decisions", new { stage = 2, decision = "return", message = "費用を追記してください。", decisionId = "dept-return" });
        await HttpAssertions.JsonAsync(await clients[Owner(16)].PutAsJsonAsync($"{r}/proposals/{returned}", Body("提案 016（費用を追記）")), 200);
        await HttpAssertions.JsonAsync(await clients[Owner(16)].PostAsync($"{r}/proposals/{returned}/submit", null), 200);

        // The queue sorts by weighted score, server-side.
        var queue = await HttpAssertions.JsonAsync(await screener.GetAsync($"{r}/screening/queue?stage=2&sort=score&descending=true&take=10"), 200);
        Assert.Equal(atStage2.Count, queue.GetProperty("total").GetInt32());
        var scores = queue.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("weightedScore").GetDecimal()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);

        var bulkDecline = atStage2.Where(i => FateOf(i) is Fate.DeclinedAtStage2 or Fate.ReturnedThenDeclined).Select(i => ids[i]).ToArray();
        var bulk = await HttpAssertions.JsonAsync(await screener.PostAsJsonAsync($"{r}/screening/decisions",
            new { proposalIds = bulkDecline, stage = 2, decision = "decline", message = "既存事業と重複するため。", batchId = "dept-decline" }), 200);
        Assert.All(bulk.EnumerateArray(), b => Assert.True(b.GetProperty("succeeded").GetBoolean(), b.ToString()));
        staffActions += bulkDecline.Length;
        var toCommittee = atStage2.Where(i => FateOf(i) is Fate.DeclinedAtStage3 or Fate.Shortlisted).Select(i => ids[i]).ToArray();
        await HttpAssertions.JsonAsync(await screener.PostAsJsonAsync($"{r}/screening/decisions",
            new { proposalIds = toCommittee, stage = 2, decision = "advance", batchId = "dept-advance" }), 200);
        staffActions += toCommittee.Length;

        // Stage 3, the committee (administrator): 7 selected, the rest declined.
        foreach (var i in atStage2.Where(i => FateOf(i) is Fate.DeclinedAtStage3 or Fate.Shortlisted))
        {
            var shortlisted = FateOf(i) == Fate.Shortlisted;
            await StaffAsync(admin, $"{r}/proposals/{ids[i]}/reviews/decisions",
                new { stage = 3, decision = shortlisted ? "advance" : "decline", message = shortlisted ? null : "審査会で他の提案を優先しました。", decisionId = "committee" });
        }

        // The shortlist, in the order staff chose (reverse of ids), twice: the retry changes nothing.
        var ballot = Enumerable.Range(0, 95).Where(i => FateOf(i) == Fate.Shortlisted).Select(i => ids[i]).Reverse().ToArray();
        Assert.Equal(7, ballot.Length);
        var published = await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{r}/shortlist/publish", new { proposalIds = ballot }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{r}/shortlist/publish", new { proposalIds = ballot }), 200);
        staffActions += 1 + ballot.Length;
        var publicShortlist = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"{r}/shortlist"), 200);
        Assert.Equal(ballot, publicShortlist.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("proposalId").GetString()));
        Assert.Equal(published.GetRawText(), publicShortlist.GetRawText());

        // Every proposal ends in the right state.
        var expectedStatus = new Dictionary<Fate, string>
        {
            [Fate.Withdrawn] = "withdrawn", [Fate.DeclinedAtIntake] = "declined", [Fate.ReturnedAtIntake] = "returned",
            [Fate.ReturnedThenDeclined] = "declined", [Fate.DeclinedAtStage2] = "declined", [Fate.DeclinedAtStage3] = "declined",
            [Fate.Shortlisted] = "shortlisted",
        };
        var texts = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 95), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var own = await HttpAssertions.JsonAsync(await clients[Owner(i)].GetAsync($"{r}/proposals/{ids[i]}"), 200);
            Assert.Equal(expectedStatus[FateOf(i)], own.GetProperty("status").GetString());
            if (FateOf(i) == Fate.Shortlisted)
            {
                Assert.Equal(Array.IndexOf(ballot, ids[i]) + 1, own.GetProperty("ballotNumber").GetInt32());
            }

            texts.Add(own.GetRawText());
            var publicAnswer = await anonymous.GetAsync($"{r}/proposals/{ids[i]}");
            var isPublic = FateOf(i) is not (Fate.DeclinedAtIntake or Fate.ReturnedAtIntake or Fate.Withdrawn);
            Assert.Equal(isPublic ? 200 : 404, (int)publicAnswer.StatusCode);
            texts.Add(await publicAnswer.Content.ReadAsStringAsync());
        });

        var publicList = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"{r}/proposals?take=200"), 200);
        Assert.Equal(95 - 5 - 10 - 1, publicList.GetProperty("total").GetInt32());
        Assert.Equal(7, (await HttpAssertions.JsonAsync(await anonymous.GetAsync($"{r}/proposals?status=shortlisted"), 200)).GetProperty("total").GetInt32());
        texts.Add(publicList.GetRawText());

        // The proposers' inboxes hold exactly the right notices.
        for (var k = 0; k < Proposers; k++)
        {
            var inbox = await HttpAssertions.JsonAsync(await clients[k].GetAsync("/api/v1/inbox"), 200);
            texts.Add(inbox.GetRawText());
            var notices = inbox.EnumerateArray().Select(n => n.GetProperty("noticeId").GetString()!).ToList();
            var expected = Enumerable.Range(k * PerProposer, PerProposer).Sum(i => NoticesFor(FateOf(i)).Length);
            Assert.Equal(expected, notices.Count);
            foreach (var i in Enumerable.Range(k * PerProposer, PerProposer))
            {
                Assert.Equal(NoticesFor(FateOf(i)).Length, notices.Count(n => n.StartsWith($"proposal:{roundId}:{ids[i]}:", StringComparison.Ordinal)));
            }

            var mine = await HttpAssertions.JsonAsync(await clients[k].GetAsync($"{r}/proposals/mine"), 200);
            Assert.Equal(PerProposer, mine.GetArrayLength());
            texts.Add(mine.GetRawText());
        }

        var shortlistedNotice = (await HttpAssertions.JsonAsync(await clients[Owner(94)].GetAsync("/api/v1/inbox"), 200)).EnumerateArray()
            .First(n => n.GetProperty("noticeId").GetString()!.StartsWith($"proposal:{roundId}:{ids[94]}:", StringComparison.Ordinal));
        Assert.Contains("投票番号 1", shortlistedNotice.GetProperty("body").GetString(), StringComparison.Ordinal);

        // The audit log holds every staff action, once.
        var audit = await HttpAssertions.JsonAsync(await admin.GetAsync($"{r}/audit?take=500"), 200);
        var entries = audit.GetProperty("entries").EnumerateArray().ToList();
        Assert.True(staffActions == audit.GetProperty("total").GetInt32(), $"expected {staffActions} entries, found {audit.GetProperty("total").GetInt32()}: "
            + string.Join("; ", entries.GroupBy(e => e.GetProperty("action").GetString()).Select(g => $"{g.Key} {g.Count()}")));
        Assert.Equal(entries.Count, entries.Select(e => e.GetProperty("entryId").GetString()).Distinct().Count());
        Assert.Equal(7, entries.Count(e => e.GetProperty("action").GetString() == "proposal.ballot-number"));
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("actorSub").GetString())));
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "proposal.decide.decline"
            && e.GetProperty("actorSub").GetString() == "screener" && e.GetProperty("subject").GetString() == $"proposal {ids[5]}");
        texts.Add(audit.GetRawText());

        // No private note appears in any public page or API response outside the staff review.
        var publicPage = await anonymous.GetStringAsync($"/rounds/{roundId}/proposals");
        texts.Add(publicPage);
        foreach (var text in texts)
        {
            Assert.DoesNotContain(NoteMarker, text, StringComparison.Ordinal);
        }

        var review = await HttpAssertions.JsonAsync(await screener.GetAsync($"{r}/proposals/{ids[30]}/reviews"), 200);
        Assert.Contains(NoteMarker, review.GetRawText(), StringComparison.Ordinal);
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }
}
