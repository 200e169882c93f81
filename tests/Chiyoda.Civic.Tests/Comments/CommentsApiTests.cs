using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Comments;

/// <summary>
/// Comments through the running platform (demo round, voting open): the API's refusals with codes, the public page served
/// from the output cache showing a new comment at once, links and markup inert, moderation by the moderator account and its
/// audit, and hidden words never in a public answer.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class CommentsApiTests(PlatformFixture platform)
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
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("写真 <img src=x onerror=alert(1)>")), 400, "comment-html");

        // Angle brackets in ordinary writing are not HTML: taken, and shown exactly as written (encoded on the page).
        var brackets = $"費用 < 効果 {Guid.NewGuid().ToString("N")[..6]}: 1 < 2 > 0, x<y <3";
        var plain = await HttpAssertions.JsonAsync(await resident.PostJsonAsync(Thread("p-003"), Body(brackets)), 201);
        Assert.Equal(brackets, plain.GetProperty("text").GetString());
        Assert.Contains(WebUtility.HtmlEncode(brackets), await anonymous.GetStringAsync(page), StringComparison.Ordinal);
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("   ")), 400, "comment-empty");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body(new string('長', 501))), 400, "comment-too-long");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("ここ", parentId: "c-9999")), 404, "comment-not-found");
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-003"), Body("区です", asWard: true)), 403, "not-ward-staff");
        using var clerk = await platform.ApiClientAsync("clerk");
        await HttpAssertions.ProblemAsync(await clerk.PostJsonAsync(Thread("p-003"), Body("投票事務です")), 403, "comment-not-allowed");
        // A clerk is ward staff, yet may not answer as the ward: the refusal names who may.
        var notStaff = await HttpAssertions.ProblemAsync(await clerk.PostJsonAsync(Thread("p-003"), Body("区として回答します", asWard: true)), 403, "not-ward-staff");
        Assert.Contains("moderators and administrators", notStaff.GetProperty("title").GetString(), StringComparison.Ordinal);
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
    public async Task The_demo_call_round_has_published_proposals_to_comment_on_beside_the_three_waiting_for_the_intake_check()
    {
        const string call = "demo-2025";
        using var anonymous = await platform.ApiClientAsync();
        var listed = (await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{call}/proposals"), 200)).GetProperty("items")
            .EnumerateArray().Select(p => p.GetProperty("proposalId").GetString()).ToList();
        Assert.Contains("p-104", listed);
        Assert.Contains("p-105", listed);
        Assert.DoesNotContain(listed, id => id is "p-101" or "p-102" or "p-103");
        Assert.Contains("子育て施設の空き状況をオンラインで確認", await anonymous.GetStringAsync($"/rounds/{call}/proposals"), StringComparison.Ordinal);

        // The three still wait for the intake check, in the screener's queue.
        using var screener = await platform.ApiClientAsync("screener");
        var waiting = (await HttpAssertions.JsonAsync(await screener.GetAsync($"/api/v1/rounds/{call}/screening/queue?status=submitted"), 200)).GetProperty("items")
            .EnumerateArray().Select(p => p.GetProperty("proposalId").GetString()).ToList();
        Assert.True(new[] { "p-101", "p-102", "p-103" }.All(waiting.Contains), string.Join(", ", waiting));
        Assert.DoesNotContain(waiting, id => id is "p-104" or "p-105");

        // During the call, a resident comments on one, and anyone reads it there.
        using var resident = await platform.ApiClientAsync(Voter());
        var words = "予約の空きが分かると助かります " + Guid.NewGuid().ToString("N")[..8];
        await HttpAssertions.JsonAsync(await resident.PostJsonAsync($"/api/v1/rounds/{call}/proposals/p-104/comments", Body(words)), 201);
        Assert.Contains(words, await anonymous.GetStringAsync($"/rounds/{call}/proposals/p-104"), StringComparison.Ordinal);
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
    public async Task A_request_id_sent_again_answers_the_same_comment_for_the_same_words_and_is_refused_for_other_words()
    {
        using var anonymous = await platform.ApiClientAsync();
        using var resident = await platform.ApiClientAsync(Voter());
        var requestId = Guid.NewGuid().ToString("N");
        var words = "最初の言葉 " + requestId[..8];

        // A retry (same id, same words) is answered with the comment it made, once.
        var first = await HttpAssertions.JsonAsync(await resident.PostJsonAsync(Thread("p-007"), new { requestId, text = words }), 201);
        var again = await HttpAssertions.JsonAsync(await resident.PostJsonAsync(Thread("p-007"), new { requestId, text = words }), 201);
        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());

        // Other words under the same id (in the body or as the Idempotency-Key header) are refused: never 201 with the old text.
        var other = "別の言葉 " + requestId[..8];
        var reused = await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-007"), new { requestId, text = other }), 422, "idempotency-key-reused");
        Assert.Contains("already used for a comment with other words", reused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var byHeader = new HttpRequestMessage(HttpMethod.Post, Thread("p-007")) { Content = JsonContent.Create(new { text = other }) };
        byHeader.Headers.Add("Idempotency-Key", requestId);
        await HttpAssertions.ProblemAsync(await resident.SendAsync(byHeader), 422, "idempotency-key-reused");

        var thread = (await HttpAssertions.JsonAsync(await anonymous.GetAsync(Thread("p-007")), 200)).GetRawText();
        Assert.Equal(2, thread.Split(words).Length);
        Assert.DoesNotContain(other, thread, StringComparison.Ordinal);

        // Reversed or invisible text: a direction control is refused with its own code; only zero-width characters is empty.
        var reversed = await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-007"), Body("\u202Eこれは逆さま")), 400, "text-direction-control");
        Assert.Contains("U+202E", reversed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await HttpAssertions.ProblemAsync(await resident.PostJsonAsync(Thread("p-007"), Body("\u200B\u200B\uFEFF")), 400, "comment-empty");
    }

    [Fact]
    public async Task A_rate_limited_form_post_is_its_own_message_with_the_minutes_to_wait_not_an_input_error_in_japanese_and_english()
    {
        var voter = Voter();
        using (var api = await platform.ApiClientAsync(voter))
        {
            for (var i = 0; i < CommentRules.PostsPerWindow; i++)
            {
                await HttpAssertions.JsonAsync(await api.PostJsonAsync(Thread(i % 2 == 0 ? "p-004" : "p-005"), Body($"連投 {i}")), 201);
            }
        }

        // The sixth, through the page's form (a plain post with antiforgery, as the browser sends it).
        var page = new Uri(platform.Web, $"/rounds/{Round}/proposals/p-005");
        using var session = new BrowserlessSession();
        await session.SignInAsync(platform.Web, voter, PlatformFixture.DevelopmentPassword, page.PathAndQuery);
        foreach (var (language, wait, fixErrors) in new[]
        {
            ("ja", @"短い時間に多く投稿されました。\d+分後にもう一度お試しください。", "入力内容を確認してください"),
            ("en", @"You have posted a lot in a short time\. Please try again in (1 minute|\d+ minutes)\.", "There is a problem"),
        })
        {
            if (language == "en")
            {
                await session.SendAsync(HttpMethod.Get, new Uri(platform.Web, "/culture/en?returnUrl=" + Uri.EscapeDataString(page.PathAndQuery)));
            }

            var (form, _) = await session.SendAsync(HttpMethod.Get, page);
            var html = await form.Content.ReadAsStringAsync();
            var start = html.IndexOf("data-testid=\"comment-form\"", StringComparison.Ordinal);
            Assert.True(start >= 0, $"no comment form on the {language} page");
            var fields = HiddenInput().Matches(html[start..html.IndexOf("</form>", start, StringComparison.Ordinal)])
                .ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
            Assert.Contains("_handler", fields.Keys);
            fields["Form.Text"] = "6件目の意見";
            var (posted, _) = await session.SendAsync(HttpMethod.Post, page, new FormUrlEncodedContent(fields));
            var answer = await posted.Content.ReadAsStringAsync();

            var error = ErrorBlock().Match(answer);
            Assert.True(error.Success, $"no error on the {language} page");
            Assert.Equal("rate-limited", error.Groups["code"].Value);
            Assert.Contains("notice warning", error.Groups["class"].Value, StringComparison.Ordinal);
            Assert.Matches(wait, WebUtility.HtmlDecode(error.Groups["body"].Value));
            Assert.DoesNotContain(fixErrors, answer, StringComparison.Ordinal);
            // Nothing typed is wrong: the field is not marked invalid.
            Assert.DoesNotContain("aria-invalid=\"true\"", answer, StringComparison.Ordinal);
        }
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

    [Fact]
    public async Task A_reported_comment_cannot_be_edited_a_second_report_is_409_and_moderators_read_the_words_as_reported()
    {
        using var author = await platform.ApiClientAsync(Voter());
        using var reporter = await platform.ApiClientAsync(Voter());
        using var moderator = await platform.ApiClientAsync("moderator");
        var words = "駅前の人は迷惑 " + Guid.NewGuid().ToString("N")[..8];
        var id = (await HttpAssertions.JsonAsync(await author.PostJsonAsync(Thread("p-001"), Body(words)), 201)).GetProperty("id").GetString()!;
        var reports = $"{Thread("p-001")}/{id}/reports";

        await HttpAssertions.JsonAsync(await reporter.PostJsonAsync(reports, new { reason = "中傷です" }), 200);
        await HttpAssertions.ProblemAsync(await reporter.PostJsonAsync(reports, new { reason = "もう一度" }), 409, "already-reported");
        var refused = await HttpAssertions.ProblemAsync(await author.PutAsJsonAsync($"{Thread("p-001")}/{id}", new { text = "穏やかな言葉" }), 409, "comment-under-review");
        Assert.Contains("delete", refused.GetProperty("title").GetString(), StringComparison.Ordinal);

        // The moderator reads the words as reported, in the queue and on the comment; nothing was edited since.
        var item = (await HttpAssertions.JsonAsync(await moderator.GetAsync("/api/v1/moderation/comments"), 200)).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("proposalId").GetString() == "p-001" && i.GetProperty("commentId").GetString() == id);
        Assert.Equal(words, item.GetProperty("reportedText").GetString());
        Assert.True(!item.TryGetProperty("editedText", out var editedText) || editedText.ValueKind == JsonValueKind.Null, item.GetRawText());
        var one = await HttpAssertions.JsonAsync(await moderator.GetAsync($"/api/v1/moderation/comments/{Round}/p-001/{id}"), 200);
        Assert.Equal((words, words, false), (one.GetProperty("reportedText").GetString(), one.GetProperty("text").GetString(), one.GetProperty("editedSinceReport").GetBoolean()));

        // Deleting stays allowed, and takes it out of the queue.
        await HttpAssertions.JsonAsync(await author.DeleteAsync($"{Thread("p-001")}/{id}"), 200);
        Assert.DoesNotContain((await HttpAssertions.JsonAsync(await moderator.GetAsync("/api/v1/moderation/comments"), 200)).GetProperty("items").EnumerateArray(),
            i => i.GetProperty("commentId").GetString() == id && i.GetProperty("proposalId").GetString() == "p-001");
    }

    [Fact]
    public async Task Pages_say_up_front_what_cannot_be_done_and_deleted_or_closed_threads_are_told_apart()
    {
        var (author, other) = (Voter(), Voter());
        using var authorApi = await platform.ApiClientAsync(author);
        var id = (await HttpAssertions.JsonAsync(await authorApi.PostJsonAsync(Thread("p-002"), Body("案内を増やして")), 201)).GetProperty("id").GetString()!;
        var gone = (await HttpAssertions.JsonAsync(await authorApi.PostJsonAsync(Thread("p-002"), Body("あとで消します")), 201)).GetProperty("id").GetString()!;
        var page = $"/rounds/{Round}/proposals/p-002";

        using var session = new BrowserlessSession();
        await session.SignInAsync(platform.Web, other, PlatformFixture.DevelopmentPassword, page);
        async Task<string> GetAsync(BrowserlessSession s, string path)
        {
            var (response, _) = await s.SendAsync(HttpMethod.Get, new Uri(platform.Web, path));
            return await response.Content.ReadAsStringAsync();
        }

        // Someone else's comment: the edit page says so, without a form the server would refuse.
        var edit = await GetAsync(session, $"{page}/comments/{id}/edit");
        Assert.Contains("data-code=\"not-author\"", edit, StringComparison.Ordinal);
        Assert.Contains("自分の意見だけを編集・削除できます", edit, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-form\"", edit, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-delete-form\"", edit, StringComparison.Ordinal);

        // Nor may they delete it: the delete page refuses up front too.
        var otherDelete = await GetAsync(session, $"{page}/comments/{id}/delete");
        Assert.Contains("data-code=\"not-author\"", otherDelete, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-delete-form\"", otherDelete, StringComparison.Ordinal);

        // The author's own: the form; reporting it: refused up front, and by the API with its code.
        using var authorSession = new BrowserlessSession();
        await authorSession.SignInAsync(platform.Web, author, PlatformFixture.DevelopmentPassword, page);
        var ownEdit = await GetAsync(authorSession, $"{page}/comments/{id}/edit");
        Assert.Contains("data-testid=\"comment-form\"", ownEdit, StringComparison.Ordinal);

        // Deleting asks first: the edit page only links to a page that asks, and opening that page deletes nothing.
        Assert.Contains($"href=\"{page}/comments/{id}/delete\"", ownEdit, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-delete-form\"", ownEdit, StringComparison.Ordinal);
        var ask = await GetAsync(authorSession, $"{page}/comments/{id}/delete");
        Assert.Contains("この意見を削除しますか？", ask, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"comment-delete-confirm\"", ask, StringComparison.Ordinal);
        Assert.Contains($"data-comment-id=\"{id}\"", ask, StringComparison.Ordinal);
        Assert.Contains($"data-comment-id=\"{id}\"", await GetAsync(session, page), StringComparison.Ordinal);
        var ownReport = await GetAsync(authorSession, $"{page}/comments/{id}/report");
        Assert.Contains("data-code=\"own-comment\"", ownReport, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-form\"", ownReport, StringComparison.Ordinal);
        await HttpAssertions.ProblemAsync(await authorApi.PostJsonAsync($"{Thread("p-002")}/{id}/reports", new { reason = "自分で" }), 403, "own-comment");

        // A deleted comment is not counted in 「意見（N件）」, and its edit page says it is deleted.
        var before = CommentCount(await GetAsync(session, page));
        await HttpAssertions.JsonAsync(await authorApi.DeleteAsync($"{Thread("p-002")}/{gone}"), 200);
        Assert.Equal(before - 1, CommentCount(await GetAsync(session, page)));
        Assert.Contains("data-code=\"comment-deleted\"", await GetAsync(authorSession, $"{page}/comments/{gone}/edit"), StringComparison.Ordinal);

        // Withdrawn (p-011) and declined (p-008) proposals take no new comments: said on the page, no form, 409 from the API.
        foreach (var closed in new[] { "p-011", "p-008" })
        {
            var html = await GetAsync(session, $"/rounds/{Round}/proposals/{closed}");
            Assert.Contains("data-code=\"proposal-closed\"", html, StringComparison.Ordinal);
            Assert.Contains("取り下げ・不採択", html, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"comment-form\"", html, StringComparison.Ordinal);
            await HttpAssertions.ProblemAsync(await authorApi.PostJsonAsync($"/api/v1/rounds/{Round}/proposals/{closed}/comments", Body("まだ意見があります")), 409, "proposal-closed");
        }

        // Reported by the other person: the author's edit page says it is under review and offers only deletion; the
        // reporter's report page says they reported it already; the author sees the mark in the thread.
        using var otherApi = await platform.ApiClientAsync(other);
        await HttpAssertions.JsonAsync(await otherApi.PostJsonAsync($"{Thread("p-002")}/{id}/reports", new { reason = "言い過ぎです" }), 200);
        var underReview = await GetAsync(authorSession, $"{page}/comments/{id}/edit");
        Assert.Contains("data-code=\"comment-under-review\"", underReview, StringComparison.Ordinal);
        Assert.Contains("この投稿は通報を受けて確認中のため、編集できません", underReview, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-save\"", underReview, StringComparison.Ordinal);
        Assert.Contains($"href=\"{page}/comments/{id}/delete\"", underReview, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-delete-form\"", underReview, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"comment-delete-form\"", await GetAsync(authorSession, $"{page}/comments/{id}/delete"), StringComparison.Ordinal);
        Assert.Contains("data-testid=\"comment-under-review\"", await GetAsync(authorSession, page), StringComparison.Ordinal);
        var again = await GetAsync(session, $"{page}/comments/{id}/report");
        Assert.Contains("data-code=\"already-reported\"", again, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-form\"", again, StringComparison.Ordinal);

        // A deleted comment without replies is gone from the thread entirely; its edit page still says it was deleted.
        Assert.DoesNotContain($"data-comment-id=\"{gone}\"", await GetAsync(session, page), StringComparison.Ordinal);

        // A clerk (paper ballots) is told who may write and who may answer as the ward, not just "ward staff".
        using var clerkSession = new BrowserlessSession();
        await clerkSession.SignInAsync(platform.Web, "clerk", PlatformFixture.DevelopmentPassword, page);
        var clerkPage = await GetAsync(clerkSession, page);
        Assert.Contains("data-testid=\"comments-not-allowed\"", clerkPage, StringComparison.Ordinal);
        Assert.Contains("区として回答できる職員（審査・所管課・モデレーター・管理者）", clerkPage, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-form\"", clerkPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_shows_the_comment_and_reminder_bodies_and_every_refusal_code()
    {
        using var anonymous = await platform.ApiClientAsync();
        var document = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/openapi.json"), 200);
        var paths = document.GetProperty("paths");
        var thread = PathOf(paths, "/api/v1/rounds/{roundId}/proposals/{proposalId}/comments");
        var post = thread.GetProperty("post");
        Assert.Equal("#/components/schemas/CommentRequest", BodySchema(post));
        Assert.Equal("#/components/schemas/OwnCommentResponse", post.GetProperty("responses").GetProperty("201").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Contains("comment-html", Codes(post, "400"));
        Assert.Contains("malformed-request", Codes(post, "400"));
        Assert.Contains("not-ward-staff", Codes(post, "403"));
        Assert.Contains("proposal-closed", Codes(post, "409"));
        Assert.Contains("rate-limited", Codes(post, "429"));
        Assert.Contains(post.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");

        var report = PathOf(paths, "/api/v1/rounds/{roundId}/proposals/{proposalId}/comments/{commentId}/reports").GetProperty("post");
        Assert.Equal("#/components/schemas/CommentReasonRequest", BodySchema(report));
        Assert.Contains("own-comment", Codes(report, "403"));
        Assert.Contains("already-reported", Codes(report, "409"));
        var edit = PathOf(paths, "/api/v1/rounds/{roundId}/proposals/{proposalId}/comments/{commentId}").GetProperty("put");
        Assert.Equal("#/components/schemas/CommentEditRequest", BodySchema(edit));
        Assert.Contains("comment-under-review", Codes(edit, "409"));

        var optIn = PathOf(paths, "/api/v1/rounds/{roundId}/reminders").GetProperty("put");
        Assert.Equal("#/components/schemas/ReminderOptInRequest", BodySchema(optIn));
        Assert.Equal(["invalid-address", "invalid-language", "malformed-request"], Codes(optIn, "400").Order());
        Assert.Equal(["email-off", "email-unknown", "reminders-finished", "reminders-full"], Codes(optIn, "409").Order());
        Assert.Contains("round-not-found", Codes(optIn, "404"));

        // A refusal the API gives is one the document lists.
        using var resident = await platform.ApiClientAsync(Voter());
        var refused = await HttpAssertions.ProblemAsync(await resident.PutAsJsonAsync("/api/v1/rounds/demo-2024/reminders", new { language = "fr" }), 400, "invalid-language");
        Assert.Contains(refused.GetProperty("code").GetString(), Codes(optIn, "400"));
    }

    private static int CommentCount(string html) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(html, "意見（(\\d+)件）").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A path of the document, with or without the trailing slash a group's "/" route gives it.</summary>
    private static JsonElement PathOf(JsonElement paths, string path) =>
        paths.EnumerateObject().Single(p => p.Name.TrimEnd('/') == path).Value;

    private static string? BodySchema(JsonElement operation) =>
        operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    private static List<string> Codes(JsonElement operation, string status) =>
        [.. operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/problem+json")
            .GetProperty("schema").GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(c => c.GetString()!)];

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("<div role=\"alert\" class=\"(?<class>[^\"]*)\" data-testid=\"comment-error\" data-code=\"(?<code>[^\"]*)\"[^>]*>(?<body>.*?)</div>", RegexOptions.Singleline)]
    private static partial Regex ErrorBlock();
}
