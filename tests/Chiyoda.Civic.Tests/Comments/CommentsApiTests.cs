using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Comments;

/// <summary>
/// Comments through the running platform (demo round, voting open): the API's refusals with codes, the public page served
/// from the output cache showing a new comment at once, links and markup inert, moderation by the moderator account and its
/// audit, and hidden words never in a public answer.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class CommentsApiTests(PlatformFixture platform)
{
    private const string Round = "demo-2024";

    private static string Thread(string proposalId) => $"/api/v1/rounds/{Round}/proposals/{proposalId}/comments";

    private static string Voter() => "voter:c" + Guid.NewGuid().ToString("N")[..10];

    private static object Body(string text, string? parentId = null, bool? asWard = null) =>
        new { requestId = Guid.NewGuid().ToString("N"), text, parentId, asWard };

    [Fact]
    public async Task A_comment_shows_at_once_on_the_cached_public_page_as_plain_text_and_bad_input_is_refused_with_codes()
    {
        using var anonymous = await platform.ApiClientAsync();
        using var resident = await platform.ApiClientAsync(Voter());
        const string page = $"/rounds/{Round}/proposals/p-003";

        // The anonymous page is cached first; the new comment must evict it.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(page)).StatusCode);
        var marker = "駅に案内を " + Guid.NewGuid().ToString("N")[..8];
        var text = $"{marker}\n参考: https://example.jp/plan?a=1&b=2";
        var posted = await HttpAssertions.JsonAsync(await resident.PostJsonAsync(Thread("p-003"), Body(text)), 201);
        var id = posted.GetProperty("id").GetString()!;

        var html = await anonymous.GetStringAsync(page);
        Assert.Contains(WebUtility.HtmlEncode(marker), html, StringComparison.Ordinal);
        Assert.Contains("https://example.jp/plan?a=1&amp;b=2", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"https://example.jp", html, StringComparison.Ordinal);

        // The public API: no account anywhere; the author (by token) sees it as theirs and editable.
        var list = await HttpAssertions.JsonAsync(await anonymous.GetAsync(Thread("p-003")), 200);
        Assert.True(list.GetProperty("open").GetBoolean());
        Assert.DoesNotContain("voter:", list.GetRawText(), StringComparison.Ordinal);
        var mine = (await HttpAssertions.JsonAsync(await resident.GetAsync(Thread("p-003")), 200)).GetProperty("comments").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);
        Assert.True(mine.GetProperty("mine").GetBoolean() && mine.GetProperty("editable").GetBoolean());

        await HttpAssertions.ProblemAsync(await anonymous.PostAsJsonAsync(Thread("p-003"), Body("匿名")), 401, "unauthenticated");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("<b>太字</b>")), 400, "comment-html");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("   ")), 400, "comment-empty");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body(new string('長', 501))), 400, "comment-too-long");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("ここ", parentId: "c-9999")), 404, "comment-not-found");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("区です", asWard: true)), 403, "not-ward-staff");
        using var clerk = await platform.ApiClientAsync("clerk");
        await HttpAssertions.ProblemAsync(await clerk.PostJsonAsync(Thread("p-003"), Body("投票事務です")), 403, "comment-not-allowed");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync($"/api/v1/rounds/{Round}/proposals/p-999/comments", Body("ない提案")), 404, "proposal-not-found");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), new { text = "request id なし" }), 400, "invalid-request-id");

        // A reply, then a reply to it: one level only. Someone else may not edit or delete it.
        var reply = await HttpAssertions.JsonAsync(await resident.PostJsonAsync(Thread("p-003"), Body("補足です", id)), 201);
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("さらに", reply.GetProperty("id").GetString())), 400, "reply-depth");
        using var other = await platform.ApiClientAsync(Voter());
        await HttpAssertions.ProblemAsync(await other.PutAsJsonAsync($"{Thread("p-003")}/{id}", new { text = "書き換え" }), 403, "not-author");
        await HttpAssertions.ProblemAsync(await other.DeleteAsync($"{Thread("p-003")}/{id}"), 403, "not-author");
        var edited = await HttpAssertions.JsonAsync(await resident.PutAsJsonAsync($"{Thread("p-003")}/{id}", new { text = marker + " 追記" }), 200);
        Assert.Equal(marker + " 追記", edited.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Posting_is_rate_limited_per_account_with_a_clear_refusal()
    {
        using var resident = await platform.ApiClientAsync(Voter());
        for (var i = 0; i < 5; i++)
        {
            await HttpAssertions.JsonAsync(await resident.PostJsonAsync(Thread(i % 2 == 0 ? "p-004" : "p-005"), Body($"連投 {i}")), 201);
        }

        var refused = await resident.PostJsonAsync(Thread("p-004"), Body("6件目"));
        var problem = await HttpAssertions.ProblemAsync(refused, 429, "rate-limited");
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() is > 0 and <= 600);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_reported_comment_is_hidden_by_a_moderator_with_a_public_reason_and_its_words_go_only_to_the_audit_log()
    {
        using var anonymous = await platform.ApiClientAsync();
        using var author = await platform.ApiClientAsync(Voter());
        using var reporter = await platform.ApiClientAsync(Voter());
        using var moderator = await platform.ApiClientAsync("moderator");
        using var admin = await platform.ApiClientAsync("admin");
        var secret = "秘密の電話番号 " + Guid.NewGuid().ToString("N")[..8];
        var id = (await HttpAssertions.JsonAsync(await author.PostJsonAsync(Thread("p-006"), Body(secret)), 201)).GetProperty("id").GetString()!;

        await HttpAssertions.ProblemAsync(await reporter.PostJsonAsync($"{Thread("p-006")}/{id}/reports", new { reason = "" }), 400, "reason-required");
        await HttpAssertions.JsonAsync(await reporter.PostJsonAsync($"{Thread("p-006")}/{id}/reports", new { reason = "個人情報です" }), 200);

        // The queue is for moderators only.
        await HttpAssertions.ProblemAsync(await reporter.GetAsync("/api/v1/moderation/comments"), 403, "forbidden");
        var queue = await HttpAssertions.JsonAsync(await moderator.GetAsync("/api/v1/moderation/comments"), 200);
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), i => i.GetProperty("proposalId").GetString() == "p-006" && i.GetProperty("commentId").GetString() == id);
        await HttpAssertions.ProblemAsync(await reporter.PostJsonAsync($"{Thread("p-006")}/{id}/hide", new { reason = "x" }), 403, "forbidden");
        await HttpAssertions.ProblemAsync(await moderator.PostJsonAsync($"{Thread("p-006")}/{id}/hide", new { reason = "" }), 400, "reason-required");
        await HttpAssertions.JsonAsync(await moderator.PostJsonAsync($"{Thread("p-006")}/{id}/hide", new { reason = "個人情報を含むため非表示にしました" }), 200);

        // Nothing public carries the words: not the API, not the page; the reason shows in their place.
        var list = await HttpAssertions.JsonAsync(await anonymous.GetAsync(Thread("p-006")), 200);
        Assert.DoesNotContain(secret, list.GetRawText(), StringComparison.Ordinal);
        var shown = list.GetProperty("comments").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);
        Assert.Equal("個人情報を含むため非表示にしました", shown.GetProperty("moderationReason").GetString());
        var html = await anonymous.GetStringAsync($"/rounds/{Round}/proposals/p-006");
        Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
        Assert.Contains("個人情報を含むため非表示にしました", html, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, (await HttpAssertions.JsonAsync(await author.GetAsync(Thread("p-006")), 200)).GetRawText(), StringComparison.Ordinal);
        await HttpAssertions.ProblemAsync(await author.PutAsJsonAsync($"{Thread("p-006")}/{id}", new { text = "戻す" }), 409, "comment-hidden");

        // The audit log has the hiding with the words, by the moderator.
        var audit = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{Round}/audit?action=comment.hidden&subject={id}"), 200);
        var entry = audit.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("subject").GetString() == $"comment:p-006:{id}");
        Assert.Equal((secret, "moderator"), (entry.GetProperty("before").GetString(), entry.GetProperty("actorSub").GetString()));

        await HttpAssertions.JsonAsync(await moderator.PostJsonAsync($"{Thread("p-006")}/{id}/restore", new { reason = "確認の結果、問題ありませんでした" }), 200);
        Assert.Contains(secret, (await HttpAssertions.JsonAsync(await anonymous.GetAsync(Thread("p-006")), 200)).GetRawText(), StringComparison.Ordinal);
    }
}
