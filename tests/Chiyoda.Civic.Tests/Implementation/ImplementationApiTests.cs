using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Implementation;

[Collection(PlatformCollection.Name)]
public sealed class ImplementationApiTests(PlatformFixture platform)
{
    /// <summary>
    /// A round taken through the API from the vote to published results: ballot numbers 1 (p-001) and 2 (p-002) are
    /// adopted. Publication opens their records; the proposers are voter:{round}-proposer-1 and -2.
    /// </summary>
    public static async Task<string> PublishedRoundAsync(PlatformFixture platform, HttpClient admin, Uri? web = null)
    {
        var keys = Enumerable.Range(0, 3).Select(n => $"i{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await PaperApi.RoundAsync(admin, [.. keys]);
        var choices = new[] { new[] { 1, 2 }, [1, 2, 3], [1] };
        for (var i = 0; i < keys.Count; i++)
        {
            using var voter = await platform.ApiClientAsync("voter:" + keys[i], web);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), choices[i])), 200);
        }

        // The first voter asks to be told when the results are out; the second asks and changes their mind.
        using var first = await platform.ApiClientAsync("voter:" + keys[0], web);
        using var second = await platform.ApiClientAsync("voter:" + keys[1], web);
        Assert.True((await HttpAssertions.JsonAsync(await first.PutAsync($"/api/v1/rounds/{roundId}/results-notice", null), 200)).GetProperty("subscribed").GetBoolean());
        await HttpAssertions.JsonAsync(await second.PutAsync($"/api/v1/rounds/{roundId}/results-notice", null), 200);
        Assert.False((await HttpAssertions.JsonAsync(await second.DeleteAsync($"/api/v1/rounds/{roundId}/results-notice"), 200)).GetProperty("subscribed").GetBoolean());
        await HttpAssertions.ProblemAsync(await first.PutAsync("/api/v1/rounds/no-such-round/results-notice", null), 404, "round-not-found");

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "テスト: 早期締切" }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);

        // "The results are out", with thanks, in the same words for everyone: nothing about what they chose.
        var notices = (await HttpAssertions.JsonAsync(await first.GetAsync("/api/v1/inbox"), 200)).EnumerateArray()
            .Where(n => n.GetProperty("kind").GetString() == "results-published").ToList();
        var notice = Assert.Single(notices);
        Assert.Contains("ありがとうございました", notice.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("提案 1", notice.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/rounds/{roundId}/results", notice.GetProperty("link").GetString());
        Assert.DoesNotContain((await HttpAssertions.JsonAsync(await second.GetAsync("/api/v1/inbox"), 200)).EnumerateArray(),
            n => n.GetProperty("kind").GetString() == "results-published");
        return roundId;
    }

    [Fact]
    public async Task A_round_goes_from_adoption_through_the_path_with_indicators_notices_and_open_data()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PublishedRoundAsync(platform, admin);
        var record = $"/api/v1/rounds/{roundId}/proposals/p-001/implementation";
        using var anonymous = await platform.ApiClientAsync();
        using var department = await platform.ApiClientAsync("department");
        using var resident = await platform.ApiClientAsync("resident-45");

        var opened = await HttpAssertions.JsonAsync(await anonymous.GetAsync(record), 200);
        Assert.Equal("adopted", opened.GetProperty("steps")[0].GetProperty("statusId").GetString());
        Assert.False(opened.TryGetProperty("assignees", out var hidden) && hidden.GetArrayLength() > 0);
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/proposals/p-003/implementation"), 404, "implementation-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/proposals/nope/implementation"), 404, "implementation-not-found");

        // The proposer was told at publication that the proposal was adopted.
        using (var proposer = await platform.ApiClientAsync($"voter:{roundId}-proposer-1"))
        {
            var inbox = await HttpAssertions.JsonAsync(await proposer.GetAsync("/api/v1/inbox"), 200);
            Assert.Contains(inbox.EnumerateArray(), n => n.GetProperty("kind").GetString() == "implementation-status"
                && n.GetProperty("body").GetString()!.Contains("採用されました", StringComparison.Ordinal));
        }

        // A resident follows p-001 (and may stop following p-002 they never followed).
        await HttpAssertions.JsonAsync(await resident.PutAsync($"/api/v1/rounds/{roundId}/proposals/p-001/follow", null), 200);
        Assert.True((await HttpAssertions.JsonAsync(await resident.GetAsync($"/api/v1/rounds/{roundId}/proposals/p-001/follow"), 200)).GetProperty("following").GetBoolean());
        await HttpAssertions.ProblemAsync(await resident.PutAsync($"/api/v1/rounds/{roundId}/proposals/nope/follow", null), 404, "proposal-not-found");

        var adoptedOn = opened.GetProperty("adoptedOn").GetString()!;
        var step = new { requestId = "s1", status = "budget-consideration", date = adoptedOn, note = "区民投票の結果を踏まえ予算化を検討します。", noteEn = "Budgeting is being considered.", department = "政策経営部 DX戦略課" };
        await HttpAssertions.ProblemAsync(await resident.PostAsJsonAsync($"{record}/status", step), 403, "forbidden");
        await HttpAssertions.ProblemAsync(await department.PostAsJsonAsync($"{record}/status", step), 403, "not-assigned");
        await HttpAssertions.ProblemAsync(await department.PutAsJsonAsync($"{record}/assignees", new { requestId = "a1", assignees = new[] { new { sub = "department", name = "所管課 職員" } } }), 403, "forbidden");
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{record}/assignees", new { requestId = "a1", assignees = new[] { new { sub = "department", name = "所管課 職員" } } }), 200);
        // A body without the list (misspelt, or null) is refused and removes no one: the assigned staff keep their record.
        await HttpAssertions.ProblemAsync(await admin.PutAsJsonAsync($"{record}/assignees", new { requestId = "a0", subs = Array.Empty<string>() }), 400, "malformed-request");
        await HttpAssertions.ProblemAsync(await admin.PutAsJsonAsync($"{record}/assignees", new { requestId = "a0", assignees = (object?)null }), 400, "malformed-request");
        var stillAssigned = await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200);
        Assert.Equal("department", stillAssigned.GetProperty("assignees")[0].GetProperty("sub").GetString());

        var moved = await HttpAssertions.JsonAsync(await department.PostAsJsonAsync($"{record}/status", step), 200);
        Assert.Equal(2, moved.GetProperty("steps").GetArrayLength());
        var again = await HttpAssertions.JsonAsync(await department.PostAsJsonAsync($"{record}/status", step), 200);
        Assert.Equal(moved.GetProperty("version").GetInt32(), again.GetProperty("version").GetInt32());

        var noReason = await HttpAssertions.ProblemAsync(await department.PostAsJsonAsync($"{record}/status", new { requestId = "s2", status = "not-pursued", date = adoptedOn, department = "政策経営部 DX戦略課" }), 400, "reason-required");
        Assert.Equal("note", noReason.GetProperty("errors")[0].GetProperty("field").GetString());
        await HttpAssertions.ProblemAsync(await department.PostAsJsonAsync($"{record}/status", new { requestId = "s3", status = "budget-debate", department = "政策経営部 DX戦略課" }), 400, "invalid-date");
        await HttpAssertions.ProblemAsync(await department.PutAsJsonAsync($"{record}/details", new { requestId = "d0", links = new[] { new { title = "x", url = "javascript:alert(1)" } } }), 400, "invalid-link");
        await HttpAssertions.ProblemAsync(await department.PostAsync($"{record}/status", new StringContent("{", Encoding.UTF8, "application/json")), 400, "malformed-request");

        var details = new { requestId = "d1", budgetYen = 12000000, links = new[] { new { title = "予算案の概要", url = "https://www.city.chiyoda.lg.jp/" } } };
        var detailed = await HttpAssertions.JsonAsync(await department.PutAsJsonAsync($"{record}/details", details), 200);
        // The same request id again: the same change is a retry (the record as it is, nothing changed, nothing audited);
        // another change under that id is refused, never answered 200 with the first change.
        var retried = await HttpAssertions.JsonAsync(await department.PutAsJsonAsync($"{record}/details", details), 200);
        Assert.Equal(detailed.GetProperty("version").GetInt32(), retried.GetProperty("version").GetInt32());
        var reused = await HttpAssertions.ProblemAsync(await department.PutAsJsonAsync($"{record}/details", details with { budgetYen = 99 }), 422, "idempotency-key-reused");
        Assert.Equal("requestId", reused.GetProperty("errors")[0].GetProperty("field").GetString());
        await HttpAssertions.ProblemAsync(await department.PostAsJsonAsync($"{record}/status", new { requestId = "d1", status = "budget-debate", date = adoptedOn }), 422, "idempotency-key-reused");
        Assert.Equal(12000000, (await HttpAssertions.JsonAsync(await anonymous.GetAsync(record), 200)).GetProperty("budgetYen").GetInt64());
        await HttpAssertions.JsonAsync(await department.PutAsJsonAsync($"{record}/indicators/procedures", new { requestId = "i1", name = "電子化実施手続数", nameEn = "Procedures with electronic notices", unit = "手続", unitEn = "procedures", target = 20 }), 200);
        await HttpAssertions.ProblemAsync(await department.PostAsJsonAsync($"{record}/indicators/none/actuals", new { requestId = "v0", date = adoptedOn, value = 3 }), 404, "indicator-not-found");
        var measured = await HttpAssertions.JsonAsync(await department.PostAsJsonAsync($"{record}/indicators/procedures/actuals", new { requestId = "v1", date = adoptedOn, value = 6, note = "第1四半期" }), 200);
        Assert.Equal(6, measured.GetProperty("indicators")[0].GetProperty("actuals")[0].GetProperty("value").GetDecimal());

        // The follower got the status change; nothing in it is about how anyone voted.
        var residentInbox = await HttpAssertions.JsonAsync(await resident.GetAsync("/api/v1/inbox"), 200);
        var notice = Assert.Single(residentInbox.EnumerateArray(), n => n.GetProperty("kind").GetString() == "implementation-status" && n.GetProperty("roundId").GetString() == roundId);
        Assert.Contains("予算化検討", notice.GetProperty("body").GetString(), StringComparison.Ordinal);
        await HttpAssertions.JsonAsync(await resident.DeleteAsync($"/api/v1/rounds/{roundId}/proposals/p-001/follow"), 200);

        // The ward-wide list, filtered.
        var list = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/implementation?status=budget-consideration&department={Uri.EscapeDataString("政策経営部 DX戦略課")}"), 200);
        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("roundId").GetString() == roundId && i.GetProperty("proposalId").GetString() == "p-001");
        var adoptedOnly = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation?status=adopted"), 200);
        Assert.Contains(adoptedOnly.GetProperty("items").EnumerateArray(), i => i.GetProperty("roundId").GetString() == roundId && i.GetProperty("proposalId").GetString() == "p-002");
        Assert.DoesNotContain(adoptedOnly.GetProperty("items").EnumerateArray(), i => i.GetProperty("roundId").GetString() == roundId && i.GetProperty("proposalId").GetString() == "p-001");

        // The pages show progress one way: the step of the path, the same in the ward-wide list as on the proposal's page (a
        // percentage in one and "step 2 of 7" in the other read as two different figures), and departments in English on English pages.
        var listPage = await anonymous.GetStringAsync("/implementation?status=budget-consideration");
        var proposalPage = await anonymous.GetStringAsync($"/rounds/{roundId}/proposals/p-001");
        Assert.Contains("全7段階のうち2段階目", listPage, StringComparison.Ordinal);
        Assert.Contains("全7段階のうち2段階目", proposalPage, StringComparison.Ordinal);
        using (var english = new HttpRequestMessage(HttpMethod.Get, "/implementation?status=budget-consideration"))
        {
            english.Headers.AcceptLanguage.ParseAdd("en-GB");
            var englishList = await (await anonymous.SendAsync(english)).Content.ReadAsStringAsync();
            Assert.Contains("Step 2 of 7", englishList, StringComparison.Ordinal);
            Assert.Contains("Policy and Management Department, DX Strategy Section", englishList, StringComparison.Ordinal);
        }

        // Open data: the digests in the index are the files' SHA-256, the CSV is UTF-8 with BOM and agrees with the record.
        var index = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation/open-data"), 200);
        var files = index.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("sha256").GetString()!);
        var csvBytes = await anonymous.GetByteArrayAsync("/api/v1/implementation/records.csv");
        var jsonBytes = await anonymous.GetByteArrayAsync("/api/v1/implementation/records.json");
        Assert.Equal(files["records.csv"], Convert.ToHexString(SHA256.HashData(csvBytes)).ToLowerInvariant());
        Assert.Equal(files["records.json"], Convert.ToHexString(SHA256.HashData(jsonBytes)).ToLowerInvariant());
        Assert.Equal([0xEF, 0xBB, 0xBF], csvBytes[..3]);
        var csv = Encoding.UTF8.GetString(csvBytes[3..]);
        Assert.StartsWith("round_id,proposal_id,title,", csv, StringComparison.Ordinal);
        Assert.Contains($"{roundId},p-001,提案 1,Proposal 1,", csv, StringComparison.Ordinal);
        Assert.Contains(",actual,,", csv, StringComparison.Ordinal);
        Assert.Contains("procedures,電子化実施手続数,手続,20,6,", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("department,所管課", csv, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(jsonBytes);
        var mine = json.RootElement.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("roundId").GetString() == roundId && r.GetProperty("proposalId").GetString() == "p-001");
        Assert.Equal("budget-consideration", mine.GetProperty("status").GetString());
        Assert.Equal(2, mine.GetProperty("steps").GetArrayLength());

        // Every change is in the round's audit chain.
        var audit = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/audit?action=implementation."), 200);
        var actions = audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["implementation.actual", "implementation.indicator", "implementation.details", "implementation.status", "implementation.assign", "implementation.opened", "implementation.opened"], actions);

        // Step dates run forward and never into the future; the department comes from the ward's list. Each refusal names its field.
        var today = DateOnly.Parse(adoptedOn, System.Globalization.CultureInfo.InvariantCulture);
        var departments = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation/departments"), 200);
        Assert.Contains("教育委員会 学務課", departments.GetProperty("departments").EnumerateArray().Select(d => d.GetString()));
        var other = $"/api/v1/rounds/{roundId}/proposals/p-002/implementation";
        var future = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{other}/status",
            new { requestId = "f1", status = "budget-consideration", date = today.AddDays(1), department = "政策経営部 DX戦略課" }), 400, "invalid-date");
        Assert.Equal("date", future.GetProperty("errors")[0].GetProperty("field").GetString());
        var freeText = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{other}/status",
            new { requestId = "f2", status = "budget-consideration", date = today, department = "どこかの課" }), 400, "invalid-department");
        Assert.Equal("department", freeText.GetProperty("errors")[0].GetProperty("field").GetString());
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{other}/adopted-on", new { requestId = "f3", date = today.AddDays(-10) }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{other}/status",
            new { requestId = "f4", status = "budget-consideration", date = today.AddDays(-5), department = "政策経営部 DX戦略課" }), 200);
        var backwards = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{other}/status",
            new { requestId = "f5", status = "budget-debate", date = today.AddDays(-7) }), 400, "invalid-date");
        Assert.Equal("date", backwards.GetProperty("errors")[0].GetProperty("field").GetString());
        var debated = await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{other}/status", new { requestId = "f6", status = "budget-debate", date = today }), 200);
        Assert.Equal("budget-debate", debated.GetProperty("steps")[2].GetProperty("statusId").GetString());

        // p-002 has moved on from 予算化検討, but its timeline used it: the path may not drop it (renaming is fine).
        var path = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation/path"), 200);
        var statuses = path.GetProperty("statuses").EnumerateArray().Select(s => new
        {
            id = s.GetProperty("id").GetString(), name = s.GetProperty("name").GetString(), nameEn = s.GetProperty("nameEn").GetString(),
        }).ToList();
        Assert.Contains(statuses, s => s.id == "budget-consideration");
        var inUse = await HttpAssertions.ProblemAsync(await admin.PutAsJsonAsync("/api/v1/implementation/path",
            new { statuses = statuses.Where(s => s.id != "budget-consideration") }), 409, "status-in-use");
        Assert.Equal("statuses", inUse.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains("budget-consideration", inUse.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        var unchanged = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation/path"), 200);
        Assert.Equal(statuses.Count, unchanged.GetProperty("statuses").GetArrayLength());

        // p-002 only moves forward; a wrong latest step is withdrawn by an administrator with a reason, and the public record drops it.
        var notForward = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{other}/status",
            new { requestId = "g1", status = "adopted", date = today, department = "政策経営部 DX戦略課" }), 409, "status-not-forward");
        Assert.Equal("status", notForward.GetProperty("errors")[0].GetProperty("field").GetString());
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{other}/status", new { requestId = "g2", status = "budget-consideration", date = today }), 409, "status-not-forward");
        await HttpAssertions.ProblemAsync(await department.PostAsJsonAsync($"{other}/steps/2/withdraw", new { requestId = "w1", reason = "誤り" }), 403, "forbidden");
        await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{other}/steps/1/withdraw", new { requestId = "w2", reason = "誤り" }), 409, "step-not-withdrawable");
        var noWhy = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync($"{other}/steps/2/withdraw", new { requestId = "w3" }), 400, "reason-required");
        Assert.Equal("reason", noWhy.GetProperty("errors")[0].GetProperty("field").GetString());
        var withdrawn = await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{other}/steps/2/withdraw", new { requestId = "w4", reason = "審議の日付を誤って登録" }), 200);
        Assert.Equal(2, withdrawn.GetProperty("steps").GetArrayLength());
        var publicRecord = await HttpAssertions.JsonAsync(await anonymous.GetAsync(other), 200);
        Assert.DoesNotContain(publicRecord.GetProperty("steps").EnumerateArray(), st => st.GetProperty("statusId").GetString() == "budget-debate");
        var withdrawals = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/audit?action=implementation.step-withdrawn"), 200);
        Assert.Equal("審議の日付を誤って登録", Assert.Single(withdrawals.GetProperty("entries").EnumerateArray()).GetProperty("after").GetString());

        // Actuals: never dated after today; a wrong one is deleted (audited), and deleting it again says there is none.
        var later = await HttpAssertions.ProblemAsync(await department.PostAsJsonAsync($"{record}/indicators/procedures/actuals", new { requestId = "v9", date = "2099-03-31", value = 20 }), 400, "invalid-date");
        Assert.Contains("The actual's date (2099-03-31) is in the future", later.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        await HttpAssertions.ProblemAsync(await department.DeleteAsync($"{record}/indicators/procedures/actuals/2024-13-01"), 400, "invalid-date");
        await HttpAssertions.ProblemAsync(await resident.DeleteAsync($"{record}/indicators/procedures/actuals/{adoptedOn}"), 403, "forbidden");
        var emptied = await HttpAssertions.JsonAsync(await department.DeleteAsync($"{record}/indicators/procedures/actuals/{adoptedOn}"), 200);
        Assert.Equal(0, emptied.GetProperty("indicators")[0].GetProperty("actuals").GetArrayLength());
        await HttpAssertions.ProblemAsync(await department.DeleteAsync($"{record}/indicators/procedures/actuals/{adoptedOn}"), 404, "actual-not-found");
        var deletions = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/audit?action=implementation.actual-deleted"), 200);
        Assert.Contains(": 6", Assert.Single(deletions.GetProperty("entries").EnumerateArray()).GetProperty("before").GetString(), StringComparison.Ordinal);

        // A second actual on a date already recorded is refused, naming the date and the value held; only "replace": true
        // replaces it (and a retry of that request changes nothing more).
        await HttpAssertions.JsonAsync(await department.PostAsJsonAsync($"{record}/indicators/procedures/actuals", new { requestId = "r1", date = adoptedOn, value = 6 }), 200);
        var exists = await HttpAssertions.ProblemAsync(await department.PostAsJsonAsync($"{record}/indicators/procedures/actuals", new { requestId = "r2", date = adoptedOn, value = 7 }), 409, "actual-exists");
        Assert.Equal("date", exists.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains($"{adoptedOn}: 6", exists.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(6, (await HttpAssertions.JsonAsync(await anonymous.GetAsync(record), 200)).GetProperty("indicators")[0].GetProperty("actuals")[0].GetProperty("value").GetDecimal());
        var replacing = new { requestId = "r3", date = adoptedOn, value = 7, replace = true };
        var replaced = await HttpAssertions.JsonAsync(await department.PostAsJsonAsync($"{record}/indicators/procedures/actuals", replacing), 200);
        Assert.Equal([7m], replaced.GetProperty("indicators")[0].GetProperty("actuals").EnumerateArray().Select(a => a.GetProperty("value").GetDecimal()));
        Assert.Equal(replaced.GetProperty("version").GetInt32(),
            (await HttpAssertions.JsonAsync(await department.PostAsJsonAsync($"{record}/indicators/procedures/actuals", replacing), 200)).GetProperty("version").GetInt32());

        // An indicator is deleted with its actuals (assigned staff or administrators; audited with what it held): the record,
        // the open data and the public page stop showing it; deleting it again says there is none.
        await HttpAssertions.ProblemAsync(await resident.DeleteAsync($"{record}/indicators/procedures"), 403, "forbidden");
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"{record}/indicators/procedures"))
        {
            delete.Headers.Add("Idempotency-Key", "x1");
            Assert.Equal(0, (await HttpAssertions.JsonAsync(await department.SendAsync(delete), 200)).GetProperty("indicators").GetArrayLength());
        }

        await HttpAssertions.ProblemAsync(await department.DeleteAsync($"{record}/indicators/procedures"), 404, "indicator-not-found");
        var indicatorDeletions = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/audit?action=implementation.indicator-deleted"), 200);
        var deletedEntry = Assert.Single(indicatorDeletions.GetProperty("entries").EnumerateArray());
        Assert.Contains("電子化実施手続数 (procedures)", deletedEntry.GetProperty("before").GetString(), StringComparison.Ordinal);
        Assert.Contains($"{adoptedOn}: 7", deletedEntry.GetProperty("before").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await HttpAssertions.JsonAsync(await anonymous.GetAsync(record), 200)).GetProperty("indicators").GetArrayLength());
        var csvAfter = Encoding.UTF8.GetString(await anonymous.GetByteArrayAsync("/api/v1/implementation/records.csv"));
        Assert.DoesNotContain(csvAfter.Split('\n'), line => line.StartsWith($"{roundId},p-001,", StringComparison.Ordinal) && line.Contains(",procedures,", StringComparison.Ordinal));
        using (var jsonAfter = JsonDocument.Parse(await anonymous.GetByteArrayAsync("/api/v1/implementation/records.json")))
        {
            var after = jsonAfter.RootElement.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("roundId").GetString() == roundId && r.GetProperty("proposalId").GetString() == "p-001");
            Assert.Equal(0, after.GetProperty("indicators").GetArrayLength());
        }

        Assert.DoesNotContain("電子化実施手続数", await anonymous.GetStringAsync($"/rounds/{roundId}/proposals/p-001"), StringComparison.Ordinal);

        // "Tell me when the results are out" is for the people who could vote in the round (the rule of 「満足度」): someone
        // not on its register, or too young to have voted in it, is refused with the same codes; the first voter asked (200).
        foreach (var (account, code) in new[] { ("resident-45", "not-on-register"), ("worker", "not-on-register"), ("voter:young", "under-age") })
        {
            using var stranger = await platform.ApiClientAsync(account);
            await HttpAssertions.ProblemAsync(await stranger.PutAsync($"/api/v1/rounds/{roundId}/results-notice", null), 403, code);
            Assert.False((await HttpAssertions.JsonAsync(await stranger.GetAsync($"/api/v1/rounds/{roundId}/results-notice"), 200)).GetProperty("subscribed").GetBoolean());
        }

        // The proposer was told of the adoption once, and the English half names the proposal by its English title.
        using (var proposer = await platform.ApiClientAsync($"voter:{roundId}-proposer-1"))
        {
            var inbox = (await HttpAssertions.JsonAsync(await proposer.GetAsync("/api/v1/inbox"), 200)).EnumerateArray()
                .Where(n => n.GetProperty("kind").GetString() == "implementation-status").ToList();
            Assert.Single(inbox, n => n.GetProperty("body").GetString()!.Contains("採用されました", StringComparison.Ordinal));
            Assert.All(inbox, n => Assert.Equal("What happened to \"Proposal 1\"", n.GetProperty("titleEn").GetString()));
        }
    }

    /// <summary>
    /// From an outside walk of 「提案のその後」: the bar says the step the text says (step 1 of 7 was an empty bar, step 5 read
    /// 67 %), on the proposal page and the ward-wide list, in both languages, and 見送り has none; the editor says why no status
    /// is left (the path's last, or 見送り) instead of a dead form; the proposer is told they hear as the proposer, not offered
    /// to follow (and told after stopping that nothing would come, which was untrue).
    /// </summary>
    [Fact]
    public async Task Pages_show_the_step_as_the_bar_say_why_no_status_is_left_and_do_not_offer_the_proposer_to_follow()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PublishedRoundAsync(platform, admin);
        string Record(string proposal) => $"/api/v1/rounds/{roundId}/proposals/{proposal}/implementation";
        var adoptedOn = (await HttpAssertions.JsonAsync(await admin.GetAsync(Record("p-001")), 200)).GetProperty("adoptedOn").GetString()!;
        // p-001 at 実施中 (step 5 of 7), p-002 straight to 効果検証 (7 of 7: skipping is allowed).
        foreach (var (proposal, status) in new[] { ("p-001", "budget-consideration"), ("p-001", "budget-debate"), ("p-001", "budget-passed"), ("p-001", "in-progress"), ("p-002", "evaluated") })
        {
            await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{Record(proposal)}/status",
                new { requestId = $"{proposal}-{status}", status, date = adoptedOn, department = "政策経営部 DX戦略課" }), 200);
        }

        using var proposer = new BrowserlessSession();
        await proposer.SignInAsync(platform.Web, $"voter:{roundId}-proposer-2", PlatformFixture.DevelopmentPassword, "/implementation");
        async Task<string> PageAsync(BrowserlessSession session, string path)
        {
            var (response, url) = await session.SendAsync(HttpMethod.Get, new Uri(platform.Web, path));
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} at {url}");
            return System.Net.WebUtility.HtmlDecode(html);
        }

        static string Between(string html, string start, string end)
        {
            var from = html.IndexOf(start, StringComparison.Ordinal);
            Assert.True(from >= 0, $"no {start} on the page");
            return html[from..html.IndexOf(end, from, StringComparison.Ordinal)];
        }

        static void AssertBar(string html, int step, string text)
        {
            var bar = System.Text.RegularExpressions.Regex.Match(html, "<progress[^>]*>");
            Assert.True(bar.Success, "no progress bar");
            Assert.Contains($"max=\"7\"", bar.Value, StringComparison.Ordinal);
            Assert.Contains($"value=\"{step}\"", bar.Value, StringComparison.Ordinal);
            Assert.Contains($"aria-valuetext=\"{text}\"", bar.Value, StringComparison.Ordinal);
            Assert.Contains(text, html, StringComparison.Ordinal);
        }

        foreach (var (language, five, seven, proposerLine) in new[]
        {
            ("ja", "全7段階のうち5段階目", "全7段階のうち7段階目", "提案者としてお知らせ"),
            ("en", "Step 5 of 7", "Step 7 of 7", "you are told as its proposer"),
        })
        {
            if (language == "en")
            {
                await proposer.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/culture/en?returnUrl=%2Fimplementation"));
            }

            var p1 = await PageAsync(proposer, $"/rounds/{roundId}/proposals/p-001");
            AssertBar(Between(p1, "data-testid=\"implementation-progress\"", "</div>"), 5, five);
            var p2 = await PageAsync(proposer, $"/rounds/{roundId}/proposals/p-002");
            AssertBar(Between(p2, "data-testid=\"implementation-progress\"", "</div>"), 7, seven);
            var list = await PageAsync(proposer, "/implementation");
            AssertBar(Between(list, $"href=\"/rounds/{roundId}/proposals/p-001#after\"", "</li>"), 5, five);
            AssertBar(Between(list, $"href=\"/rounds/{roundId}/proposals/p-002#after\"", "</li>"), 7, seven);
            if (language == "ja")
            {
                // The open data carries the same "step N of M" the pages show.
                using var openData = new HttpClient { BaseAddress = platform.Web };
                using var data = JsonDocument.Parse(await openData.GetByteArrayAsync("/api/v1/implementation/records.json"));
                var ours = data.RootElement.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("roundId").GetString() == roundId)
                    .ToDictionary(r => r.GetProperty("proposalId").GetString()!, r => (r.GetProperty("stepNumber").GetInt32(), r.GetProperty("stepCount").GetInt32()));
                Assert.Equal((5, 7), ours["p-001"]);
                Assert.Equal((7, 7), ours["p-002"]);
            }

            // Their own proposal: a line saying they are told as the proposer, no follow form. Another's: the form.
            var own = Between(p2, "data-testid=\"follow\"", "</section>");
            Assert.Contains(proposerLine, Between(own, "data-testid=\"follow-proposer\"", "</p>"), StringComparison.Ordinal);
            Assert.DoesNotContain("follow-button", own, StringComparison.Ordinal);
            Assert.Contains("follow-button", Between(p1, "data-testid=\"follow\"", "</section>"), StringComparison.Ordinal);
        }

        // Department staff: p-002 has reached the path's last status, so the editor says so and what the withdrawal allows.
        using var staff = new BrowserlessSession();
        await staff.SignInAsync(platform.Web, "department", PlatformFixture.DevelopmentPassword, "/implementation");
        var last = await PageAsync(staff, $"/implementation/{roundId}/p-002/edit");
        var why = Between(last, "data-testid=\"no-next-status\"", "</p>");
        Assert.Contains("最後の段階（効果検証）に達しているため、新しい状況は記録できません", why, StringComparison.Ordinal);
        Assert.Contains("管理者が理由を付けて取り消せます", why, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"status-select\"", last, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"save-status\"", last, StringComparison.Ordinal);
        // p-001 can still move: the form is there and no such message.
        var open = await PageAsync(staff, $"/implementation/{roundId}/p-001/edit");
        Assert.Contains("data-testid=\"status-select\"", open, StringComparison.Ordinal);
        Assert.DoesNotContain("no-next-status", open, StringComparison.Ordinal);

        // 見送り: nothing follows it; no bar pretends a step of the path.
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{Record("p-001")}/status",
            new { requestId = "p-001-not-pursued", status = "not-pursued", date = adoptedOn, note = "予算が認められませんでした。" }), 200);
        var declined = await PageAsync(staff, $"/implementation/{roundId}/p-001/edit");
        Assert.Contains("「見送り」となっているため、新しい状況は記録できません", Between(declined, "data-testid=\"no-next-status\"", "</p>"), StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"status-select\"", declined, StringComparison.Ordinal);
        Assert.DoesNotContain("<progress", Between(await PageAsync(staff, $"/rounds/{roundId}/proposals/p-001"), "id=\"after\"", "</section>"), StringComparison.Ordinal);
        Assert.DoesNotContain("<progress", Between(await PageAsync(staff, "/implementation"), $"href=\"/rounds/{roundId}/proposals/p-001#after\"", "</li>"), StringComparison.Ordinal);

        await staff.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/culture/en?returnUrl=%2Fimplementation"));
        var english = Between(await PageAsync(staff, $"/implementation/{roundId}/p-002/edit"), "data-testid=\"no-next-status\"", "</p>");
        Assert.Contains("This record has reached the last step (Effects evaluated), so no new status can be recorded.", english, StringComparison.Ordinal);
        Assert.Contains("an administrator can withdraw it with a reason", english, StringComparison.Ordinal);
    }
}
