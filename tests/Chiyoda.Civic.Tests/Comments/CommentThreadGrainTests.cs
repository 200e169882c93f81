using Chiyoda.Civic.Abstractions.Common;
using System.Text.Json;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Comments;

/// <summary>A proposal's comment thread: writing, replies, the edit window, limits, plain text, reports, moderation and its audit.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CommentThreadGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan EditWindow = new CommentOptions().EditWindow;

    private static string NewSub(string who) => $"{who}-{Guid.NewGuid():N}"[..20];

    private static (string RoundId, string Key) NewThread()
    {
        var roundId = "cmt-" + Guid.NewGuid().ToString("N")[..10];
        return (roundId, CommentValidation.Key(roundId, "p-001"));
    }

    private ICommentThreadGrain Thread(string key) => fixture.Grains.GetGrain<ICommentThreadGrain>(key);

    private static CommentDraft Draft(string sub, string text, string? parentId = null, bool asWard = false, bool mayAnswerAsWard = false, string? requestId = null) =>
        new(requestId ?? Guid.NewGuid().ToString("N"), sub, "名前 " + sub, parentId, text, asWard, mayAnswerAsWard);

    private static Comment Ok(CommandResult<Comment> result)
    {
        Assert.True(result.Succeeded, $"{result.Code}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
        return result.Value!;
    }

    private async Task<IReadOnlyList<PublicComment>> PublicAsync(string key, string? reader = null) =>
        (await Thread(key).GetAsync()).ForPublic(reader, fixture.Clock.GetUtcNow(), EditWindow);

    [Fact]
    public async Task Residents_write_and_reply_one_level_and_change_their_own_only_within_the_edit_window()
    {
        var (_, key) = NewThread();
        var (alice, bob) = (NewSub("alice"), NewSub("bob"));
        var first = Ok(await Thread(key).PostAsync(Draft(alice, "駅前の案内をもっと分かりやすく")));
        var reply = Ok(await Thread(key).PostAsync(Draft(bob, "賛成です", first.Id)));
        Assert.Equal(first.Id, reply.ParentId);

        // One level: a reply to a reply is refused with its own code; so is a reply to nothing.
        Assert.Equal(CommentErrorCodes.ReplyDepth, (await Thread(key).PostAsync(Draft(alice, "返信への返信", reply.Id))).Code);
        Assert.Equal(CommentErrorCodes.NotFound, (await Thread(key).PostAsync(Draft(alice, "?", "c-9999"))).Code);

        // Only the author changes a comment.
        Assert.Equal(CommentErrorCodes.NotAuthor, (await Thread(key).EditAsync(bob, first.Id, "書き換え")).Code);
        Assert.Equal(CommentErrorCodes.NotAuthor, (await Thread(key).DeleteAsync(bob, first.Id)).Code);
        var edited = Ok(await Thread(key).EditAsync(alice, first.Id, "駅前の案内板を多言語に"));
        Assert.NotNull(edited.EditedAt);

        // The public view numbers people, never names them; the reader sees which are theirs and may edit them.
        var thread = await PublicAsync(key, alice);
        var top = Assert.Single(thread);
        Assert.Equal(("駅前の案内板を多言語に", 1, true, true), (top.Text, top.Participant, top.Mine, top.Editable));
        var shownReply = Assert.Single(top.Replies);
        Assert.Equal((2, false, false), (shownReply.Participant, shownReply.Mine, shownReply.Editable));
        Assert.DoesNotContain(alice, JsonSerializer.Serialize(thread), StringComparison.Ordinal);

        // Past the window: neither edit nor delete, and the page no longer offers them.
        fixture.Clock.Advance(EditWindow);
        Assert.Equal(CommentErrorCodes.EditWindowPassed, (await Thread(key).EditAsync(alice, first.Id, "遅すぎる編集")).Code);
        Assert.Equal(CommentErrorCodes.EditWindowPassed, (await Thread(key).DeleteAsync(alice, first.Id)).Code);
        Assert.False((await PublicAsync(key, alice))[0].Editable);

        // Within it, a deletion keeps no words; the conversation stays, and takes no more replies.
        var second = Ok(await Thread(key).PostAsync(Draft(bob, "消す予定の意見")));
        var deleted = Ok(await Thread(key).DeleteAsync(bob, second.Id));
        Assert.Equal((CommentStatus.Deleted, ""), (deleted.Status, deleted.Text));
        Assert.DoesNotContain("消す予定", JsonSerializer.Serialize(await Thread(key).GetAsync()), StringComparison.Ordinal);
        Assert.Equal(CommentErrorCodes.ParentNotOpen, (await Thread(key).PostAsync(Draft(alice, "返信", second.Id))).Code);
        Assert.DoesNotContain(await PublicAsync(key), c => c.Id == second.Id);
    }

    [Fact]
    public async Task A_deleted_comment_leaves_a_placeholder_only_while_replies_to_it_are_still_shown()
    {
        var (_, key) = NewThread();
        var (alice, bob, carol) = (NewSub("alice"), NewSub("bob"), NewSub("carol"));
        var top = Ok(await Thread(key).PostAsync(Draft(alice, "最初の意見")));
        var reply = Ok(await Thread(key).PostAsync(Draft(bob, "返信です", top.Id)));
        var other = Ok(await Thread(key).PostAsync(Draft(carol, "もう一つの返信", top.Id)));

        // A deleted reply with no replies of its own: gone from the thread, no 「削除されたコメント」 left behind.
        Ok(await Thread(key).DeleteAsync(bob, reply.Id));
        var shown = Assert.Single(await PublicAsync(key));
        Assert.Equal([other.Id], shown.Replies.Select(r => r.Id));

        // A deleted top-level comment keeps its place while a reply to it is shown...
        Ok(await Thread(key).DeleteAsync(alice, top.Id));
        shown = Assert.Single(await PublicAsync(key));
        Assert.Equal((CommentStatus.Deleted, (string?)null, 1), (shown.Status, shown.Text, shown.Replies.Count));

        // ...and disappears once no reply to it is shown. Participants keep their numbers (carol stays 「参加者 3」).
        var later = Ok(await Thread(key).PostAsync(Draft(carol, "別の話題")));
        Ok(await Thread(key).DeleteAsync(carol, other.Id));
        var left = Assert.Single(await PublicAsync(key));
        Assert.Equal((later.Id, 3), (left.Id, left.Participant));
        var thread = await Thread(key).GetAsync();
        Assert.Equal(1, thread.ParticipantOf(thread.Comments.Single(c => c.Id == top.Id)));
    }

    [Fact]
    public async Task A_reported_comment_cannot_be_edited_until_a_moderator_acts_and_the_moderator_reads_the_words_as_reported()
    {
        var (roundId, key) = NewThread();
        var (author, first, second, third) = (NewSub("odile"), NewSub("piet"), NewSub("quinn"), NewSub("rosa"));
        var moderator = new Actor("moderator", "意見欄 管理担当");
        var queue = fixture.Grains.GetGrain<ICommentModerationGrain>(ICommentModerationGrain.WardKey);
        async Task<ModerationItem?> QueuedAsync() => (await queue.ListAsync()).SingleOrDefault(i => i.RoundId == roundId);
        const string offensive = "あの人は嘘つきだ";
        var comment = Ok(await Thread(key).PostAsync(Draft(author, offensive)));

        // Reported: the author cannot edit it (the dodge: harmless words for the moderator, then back), only delete it.
        Ok(await Thread(key).ReportAsync(new Actor(first, "通報者"), comment.Id, "中傷です"));
        var refused = await Thread(key).EditAsync(author, comment.Id, "穏やかな意見です");
        Assert.Equal(CommentErrorCodes.UnderReview, refused.Code);
        Assert.Equal(CommentErrorCodes.UnderReview, (await Thread(key).EditAsync(author, comment.Id, offensive)).Code);
        Assert.Equal(offensive, (await Thread(key).GetAsync()).Comments.Single().Text);
        Assert.Equal(offensive, await Thread(key).ReportedTextAsync(comment.Id));
        var authorView = Assert.Single(await PublicAsync(key, author));
        Assert.True(authorView.UnderReview && authorView.Editable);
        Assert.False(Assert.Single(await PublicAsync(key, first)).UnderReview);
        Assert.True(Assert.Single(await PublicAsync(key, first)).ReportedByMe);

        // The same account again while it waits: 409 already-reported (as the OpenAPI document says), nothing queued twice.
        Assert.Equal(CommentErrorCodes.AlreadyReported, (await Thread(key).ReportAsync(new Actor(first, "通報者"), comment.Id, "やはり中傷です")).Code);
        Assert.Equal(1, (await QueuedAsync())!.Reports);

        // Kept by a moderator: the words as reported are let go, and the author may edit again within the window.
        Ok(await Thread(key).RestoreAsync(moderator, comment.Id, "批判の範囲内です"));
        Assert.Null(await Thread(key).ReportedTextAsync(comment.Id));
        Ok(await Thread(key).EditAsync(author, comment.Id, "あの人は大嘘つきだ"));

        // New words: anyone may report them, the first reporter too; the same person twice, no.
        Ok(await Thread(key).ReportAsync(new Actor(first, "通報者"), comment.Id, "さらにひどくなりました"));
        Assert.Equal(CommentErrorCodes.AlreadyReported, (await Thread(key).ReportAsync(new Actor(first, "通報者"), comment.Id, "もう一度")).Code);
        Ok(await Thread(key).ReportAsync(new Actor(second, "通報者2"), comment.Id, "中傷"));
        Assert.Equal(2, (await QueuedAsync())!.Reports);
        Assert.Equal("あの人は大嘘つきだ", await Thread(key).ReportedTextAsync(comment.Id));
        Ok(await Thread(key).RestoreAsync(moderator, comment.Id, "批判の範囲内です"));

        // Edited back to words a moderator already kept: their first reporter cannot report them again; someone new can.
        Ok(await Thread(key).EditAsync(author, comment.Id, offensive));
        Assert.Equal(CommentErrorCodes.AlreadyReported, (await Thread(key).ReportAsync(new Actor(first, "通報者"), comment.Id, "元に戻りました")).Code);
        Ok(await Thread(key).ReportAsync(new Actor(third, "通報者3"), comment.Id, "元に戻りました"));
        Assert.Equal(offensive, await Thread(key).ReportedTextAsync(comment.Id));

        // Deleting stays allowed while reported: the words, the text kept with the report and the queue item all go.
        var deleted = Ok(await Thread(key).DeleteAsync(author, comment.Id));
        Assert.Equal((CommentStatus.Deleted, ""), (deleted.Status, deleted.Text));
        Assert.Null(await Thread(key).ReportedTextAsync(comment.Id));
        Assert.Null(await QueuedAsync());
    }

    [Fact]
    public async Task Text_is_plain_bounded_and_links_stay_words()
    {
        var (_, key) = NewThread();
        var sub = NewSub("carol");
        Assert.Equal(CommentErrorCodes.Empty, (await Thread(key).PostAsync(Draft(sub, " \r\n\t "))).Code);
        Assert.Equal(CommentErrorCodes.TooLong, (await Thread(key).PostAsync(Draft(sub, new string('あ', CommentRules.MaxLength + 1)))).Code);
        Assert.Equal(CommentErrorCodes.Html, (await Thread(key).PostAsync(Draft(sub, "大事 <b>とても</b>"))).Code);
        Assert.Equal(CommentErrorCodes.Html, (await Thread(key).PostAsync(Draft(sub, "<a href=\"https://evil.example\">ここ</a>"))).Code);
        Assert.Equal(CommentErrorCodes.Html, (await Thread(key).PostAsync(Draft(sub, "<script>alert(1)</script>"))).Code);

        // At the limit it is taken; a link, "a < b" and line breaks are kept as written (CRLF as LF, control characters gone).
        Ok(await Thread(key).PostAsync(Draft(sub, new string('い', CommentRules.MaxLength))));
        var link = Ok(await Thread(key).PostAsync(Draft(sub, "資料: https://www.city.chiyoda.lg.jp/a?b=1&c=2\r\n3 < 5 です\u0007")));
        Assert.Equal("資料: https://www.city.chiyoda.lg.jp/a?b=1&c=2\n3 < 5 です", link.Text);
    }

    [Fact]
    public async Task Each_account_has_a_rate_limit_across_threads_and_a_repeated_request_posts_once()
    {
        var (_, one) = NewThread();
        var (_, two) = NewThread();
        var (sub, other) = (NewSub("dave"), NewSub("erin"));

        // The same form sent twice (same request id) makes one comment and takes one unit of the limit.
        var requestId = Guid.NewGuid().ToString("N");
        var made = Ok(await Thread(one).PostAsync(Draft(sub, "一回だけ", requestId: requestId)));
        Assert.Equal(made.Id, Ok(await Thread(one).PostAsync(Draft(sub, "一回だけ", requestId: requestId))).Id);
        Assert.Equal(CommentErrorCodes.InvalidRequestId, (await Thread(one).PostAsync(Draft(other, "横取り", requestId: requestId))).Code);
        // Other words under the same id are refused, not answered with the first comment as if they had been posted.
        var reused = await Thread(one).PostAsync(Draft(sub, "別の言葉", requestId: requestId));
        Assert.Equal((CommentErrorCodes.RequestIdReused, "requestId"), (reused.Code, reused.Errors[0].Field));
        Assert.Equal("一回だけ", Assert.Single((await Thread(one).GetAsync()).Comments).Text);

        for (var i = 1; i < CommentRules.PostsPerWindow; i++)
        {
            Ok(await Thread(i % 2 == 0 ? one : two).PostAsync(Draft(sub, $"意見 {i}")));
        }

        var refused = await Thread(two).PostAsync(Draft(sub, "もう一つ"));
        Assert.Equal(CommentErrorCodes.RateLimited, refused.Code);
        Assert.True(refused.RetryAfter > TimeSpan.Zero && refused.RetryAfter <= CommentRules.RateWindow, $"{refused.RetryAfter}");
        Ok(await Thread(two).PostAsync(Draft(other, "別の人は書ける")));

        fixture.Clock.Advance(CommentRules.RateWindow);
        Ok(await Thread(two).PostAsync(Draft(sub, "時間をおいて")));
    }

    [Fact]
    public async Task Edits_take_nothing_from_the_rate_limit_and_answers_as_the_ward_have_their_own()
    {
        var (_, key) = NewThread();
        var sub = NewSub("kate");
        var first = Ok(await Thread(key).PostAsync(Draft(sub, "意見 0")));
        for (var i = 1; i < CommentRules.PostsPerWindow; i++)
        {
            Ok(await Thread(key).PostAsync(Draft(sub, $"意見 {i}")));
        }

        // At the limit for new comments, the author still fixes a typo, again and again within the edit window.
        Assert.Equal(CommentErrorCodes.RateLimited, (await Thread(key).PostAsync(Draft(sub, "もう一つ"))).Code);
        for (var i = 0; i < CommentRules.PostsPerWindow + 1; i++)
        {
            Assert.Equal($"意見 0（訂正 {i}）", Ok(await Thread(key).EditAsync(sub, first.Id, $"意見 0（訂正 {i}）")).Text);
        }

        // Staff answering as the ward: their own limit, far above a resident's, and apart from what they write as themselves.
        var staff = NewSub("staff");
        var (_, other) = NewThread();
        for (var i = 0; i < CommentRules.PostsPerWindow; i++)
        {
            Ok(await Thread(other).PostAsync(Draft(staff, $"職員として {i}")));
        }

        for (var i = 0; i < CommentRules.WardAnswersPerWindow; i++)
        {
            Ok(await Thread(other).PostAsync(Draft(staff, $"区からの回答 {i}", asWard: true, mayAnswerAsWard: true)));
        }

        var refused = await Thread(other).PostAsync(Draft(staff, "区からの回答 もう一つ", asWard: true, mayAnswerAsWard: true));
        Assert.Equal(CommentErrorCodes.RateLimited, refused.Code);
        Assert.Contains($"{CommentRules.WardAnswersPerWindow}", refused.Errors[0].Message, StringComparison.Ordinal);
        Assert.True(CommentRules.WardAnswersPerWindow > CommentRules.PostsPerWindow);
    }

    [Fact]
    public async Task One_account_counts_once_in_the_queue_and_nobody_reports_their_own_comment()
    {
        var (roundId, key) = NewThread();
        var (author, reporter, second) = (NewSub("lena"), NewSub("mika"), NewSub("nao"));
        var moderator = new Actor("moderator", "意見欄 管理担当");
        var comment = Ok(await Thread(key).PostAsync(Draft(author, "宣伝です")));
        var queue = fixture.Grains.GetGrain<ICommentModerationGrain>(ICommentModerationGrain.WardKey);
        async Task<ModerationItem?> QueuedAsync() => (await queue.ListAsync()).SingleOrDefault(i => i.RoundId == roundId);

        // Your own comment: refused with its code, nothing queued.
        Assert.Equal(CommentErrorCodes.OwnComment, (await Thread(key).ReportAsync(new Actor(author, "投稿者"), comment.Id, "自分の意見")).Code);
        Assert.Null(await QueuedAsync());

        // The same account twice, with different reasons: refused the second time (409), one report in the queue.
        Ok(await Thread(key).ReportAsync(new Actor(reporter, "通報者"), comment.Id, "宣伝です"));
        Assert.Equal(CommentErrorCodes.AlreadyReported, (await Thread(key).ReportAsync(new Actor(reporter, "通報者"), comment.Id, "やはり宣伝です")).Code);
        Assert.Equal(1, (await QueuedAsync())!.Reports);
        Assert.Single((await Thread(key).GetAsync()).Comments.Single().Reports);

        // A moderator keeps it: the same account cannot put it back in the queue (the walk's "reports: 2").
        Ok(await Thread(key).RestoreAsync(moderator, comment.Id, "宣伝ではありません"));
        Assert.Null(await QueuedAsync());
        Assert.Equal(CommentErrorCodes.AlreadyReported, (await Thread(key).ReportAsync(new Actor(reporter, "通報者"), comment.Id, "宣伝です")).Code);
        Assert.Null(await QueuedAsync());

        // Someone else may: the queue counts the people since the moderator's step, not the old reports.
        Ok(await Thread(key).ReportAsync(new Actor(second, "通報者2"), comment.Id, "広告です"));
        var item = (await QueuedAsync())!;
        Assert.Equal((1, "広告です"), (item.Reports, item.LatestReason));
    }

    [Fact]
    public async Task Reports_queue_a_comment_and_moderators_hide_and_restore_it_with_a_public_reason_all_audited()
    {
        var (roundId, key) = NewThread();
        var (author, reporter, second) = (NewSub("frank"), NewSub("gina"), NewSub("hana"));
        var moderator = new Actor("moderator", "意見欄 管理担当");
        var comment = Ok(await Thread(key).PostAsync(Draft(author, "隣の山田さんは 090-0000-0000 です")));

        Assert.Equal(CommentErrorCodes.ReasonRequired, (await Thread(key).ReportAsync(new Actor(reporter, "通報者"), comment.Id, "  ")).Code);
        Assert.Equal(CommentErrorCodes.ReasonTooLong, (await Thread(key).ReportAsync(new Actor(reporter, "通報者"), comment.Id, new string('x', CommentRules.ReasonMaxLength + 1))).Code);
        Ok(await Thread(key).ReportAsync(new Actor(reporter, "通報者"), comment.Id, "個人の電話番号が書かれています"));
        Assert.Equal(CommentErrorCodes.AlreadyReported, (await Thread(key).ReportAsync(new Actor(reporter, "通報者"), comment.Id, "もう一度")).Code);
        Ok(await Thread(key).ReportAsync(new Actor(second, "通報者2"), comment.Id, "個人情報"));
        var queue = fixture.Grains.GetGrain<ICommentModerationGrain>(ICommentModerationGrain.WardKey);
        var item = Assert.Single(await queue.ListAsync(), i => i.RoundId == roundId);
        Assert.Equal((comment.Id, 2, "個人情報"), (item.CommentId, item.Reports, item.LatestReason));

        Assert.Equal(CommentErrorCodes.ReasonRequired, (await Thread(key).HideAsync(moderator, comment.Id, "")).Code);
        var hidden = Ok(await Thread(key).HideAsync(moderator, comment.Id, "個人情報を含むため"));
        Assert.Equal(CommentStatus.Hidden, hidden.Status);
        Assert.DoesNotContain(await queue.ListAsync(), i => i.RoundId == roundId);

        // Its author is told, with the public reason and a link to the comment; never who reported it, their reasons, or the words.
        var inbox = fixture.Grains.GetGrain<INotificationInboxGrain>(author);
        var told = Assert.Single(await inbox.ListAsync(10));
        Assert.Equal(("comment-moderation", roundId, $"/rounds/{roundId}/proposals/p-001#{comment.Id}"), (told.Kind, told.RoundId, told.Link));
        Assert.Contains("個人情報を含むため", told.Body, StringComparison.Ordinal);
        Assert.Contains("個人情報を含むため", told.BodyEn, StringComparison.Ordinal);
        var noticeText = string.Join("\n", told.NoticeId, told.Title, told.TitleEn, told.Body, told.BodyEn, told.Link);
        foreach (var secret in new[] { reporter, second, "個人の電話番号が書かれています", "090-0000-0000", "山田", "通報者" })
        {
            Assert.DoesNotContain(secret, noticeText, StringComparison.Ordinal);
        }

        // In public: the reason in its place, never the words (nor in the JSON the API would send).
        var shown = Assert.Single(await PublicAsync(key, author));
        Assert.Equal((null, "個人情報を含むため", false), (shown.Text, shown.ModerationReason, shown.Editable));
        Assert.DoesNotContain("090-0000-0000", JsonSerializer.Serialize(await PublicAsync(key)), StringComparison.Ordinal);

        // Its author can neither edit it back nor delete the record of it; nobody replies to it.
        Assert.Equal(CommentErrorCodes.Hidden, (await Thread(key).EditAsync(author, comment.Id, "直しました")).Code);
        Assert.Equal(CommentErrorCodes.Hidden, (await Thread(key).DeleteAsync(author, comment.Id)).Code);
        Assert.Equal(CommentErrorCodes.ParentNotOpen, (await Thread(key).PostAsync(Draft(second, "返信", comment.Id))).Code);

        var restored = Ok(await Thread(key).RestoreAsync(moderator, comment.Id, "確認の結果、再表示します"));
        Assert.Equal(CommentStatus.Visible, restored.Status);
        var notices = await inbox.ListAsync(10);
        Assert.Equal(2, notices.Count);
        var shownAgain = Assert.Single(notices, n => n.TitleEn == "Your comment is shown again");
        Assert.Contains("確認の結果、再表示します", shownAgain.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(reporter, string.Join("\n", notices.Select(n => n.Body + n.BodyEn + n.NoticeId)), StringComparison.Ordinal);
        Assert.Equal(CommentErrorCodes.NotHidden, (await Thread(key).RestoreAsync(moderator, comment.Id, "もう一度")).Code);
        Assert.Equal("隣の山田さんは 090-0000-0000 です", Assert.Single(await PublicAsync(key)).Text);

        // The audit log: reports, the hiding with the hidden words (kept only there) and the public reason, the restoring.
        var audit = (await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 50, "comment.")).Entries.Reverse().ToList();
        Assert.Equal(["comment.reported", "comment.reported", "comment.hidden", "comment.restored"], audit.Select(e => e.Action));
        var hideEntry = audit[2];
        Assert.Equal(("moderator", $"comment:p-001:{comment.Id}", "隣の山田さんは 090-0000-0000 です", "個人情報を含むため"),
            (hideEntry.ActorSub, hideEntry.Subject, hideEntry.Before, hideEntry.After));
        Assert.Equal("確認の結果、再表示します", audit[3].After);

        // A comment longer than one audit value is kept whole, in numbered parts.
        var words = string.Concat(Enumerable.Range(0, CommentRules.MaxLength).Select(i => (char)('ア' + (i % 40))));
        var longOne = Ok(await Thread(key).PostAsync(Draft(author, words)));
        Ok(await Thread(key).HideAsync(moderator, longOne.Id, "長い不適切な投稿"));
        var parts = (await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 50, subject: longOne.Id)).Entries.Reverse().ToList();
        Assert.Equal(["comment.hidden", "comment.hidden-text", "comment.hidden-text"], parts.Select(e => e.Action));
        Assert.Equal(words, string.Concat(parts.Select(e => e.Before![(e.Before!.IndexOf(')', StringComparison.Ordinal) + 2)..])));
    }

    [Fact]
    public async Task Only_staff_answer_as_the_ward_and_the_answer_is_marked_and_audited()
    {
        var (roundId, key) = NewThread();
        var resident = NewSub("ivan");
        var question = Ok(await Thread(key).PostAsync(Draft(resident, "いつ始まりますか")));
        Assert.Equal(CommentErrorCodes.NotWardStaff, (await Thread(key).PostAsync(Draft(resident, "区です", question.Id, asWard: true))).Code);

        var staff = NewSub("screener");
        var answer = Ok(await Thread(key).PostAsync(Draft(staff, "審査の結果をお知らせします", question.Id, asWard: true, mayAnswerAsWard: true)));
        var shown = Assert.Single(Assert.Single(await PublicAsync(key)).Replies);
        Assert.Equal((true, 0), (shown.AsWard, shown.Participant));

        var entry = Assert.Single((await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 50, "comment.")).Entries);
        Assert.Equal(("comment.ward-answer", staff, $"comment:p-001:{answer.Id}"), (entry.Action, entry.ActorSub, entry.Subject));
    }
}
