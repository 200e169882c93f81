using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Screening;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Grains.Comments;

[GenerateSerializer, Alias("civic.comment-thread-state")]
public sealed class CommentThreadState
{
    [Id(0)] public List<Comment> Comments { get; set; } = [];

    /// <summary>Post request ids as stored before <see cref="Posts"/> (no digest): taken over into it on activation, then empty.</summary>
    [Id(1)] public List<KeyValuePair<string, string>> Requests { get; set; } = [];

    /// <summary>Audit entries written with the state and delivered after it (again on the next command until delivered).</summary>
    [Id(2)] public List<AuditEntry> PendingAudit { get; set; } = [];

    /// <summary>Queue changes to make after the state write: an item to upsert, or a comment id to remove.</summary>
    [Id(3)] public List<ModerationItem> PendingQueue { get; set; } = [];

    [Id(4)] public List<string> PendingQueueRemovals { get; set; } = [];

    [Id(5)] public int NextNumber { get; set; } = 1;

    /// <summary>Notices to authors (comment hidden or shown again), keyed by the author's sub, delivered after the state write.</summary>
    [Id(6)] public List<KeyValuePair<string, Notice>> PendingNotices { get; set; } = [];

    /// <summary>The last <see cref="CommentRules.RememberedRequests"/> posts: request id, a digest of what was sent, and the comment it made.</summary>
    [Id(7)] public RememberedRequests Posts { get; set; } = new();
}

/// <summary>
/// The words of each comment as reported, while the report awaits a moderator (comment id → text). A state of its own (its
/// own table row), so that up to <see cref="CommentRules.MaxPerThread"/> reported texts never crowd the thread's row.
/// </summary>
[GenerateSerializer, Alias("civic.comment-reported-texts-state")]
public sealed class CommentReportedTextsState
{
    [Id(0)] public Dictionary<string, string> Texts { get; set; } = [];
}

/// <summary>
/// The comments on one published proposal (key <c>{roundId}:{proposalId}</c>): one non-reentrant activation, so the
/// per-thread checks (reply depth, edit window, the cap) cannot be raced. Moderation and staff answers are audited in the
/// round's chain, and the moderation queue is kept, through an outbox written with the state.
/// </summary>
[GrainType("comment-thread")]
public sealed class CommentThreadGrain(
    [PersistentState("comments", StorageNames.GrainState)] IPersistentState<CommentThreadState> state,
    [PersistentState("comment-reported", StorageNames.GrainState)] IPersistentState<CommentReportedTextsState> reported,
    IOptions<CommentOptions> options,
    TimeProvider time) : Grain, ICommentThreadGrain
{
    private string RoundId => this.GetPrimaryKeyString().Split(':')[0];

    private string ProposalId => this.GetPrimaryKeyString().Split(':', 2)[1];

    private TimeSpan EditWindow => options.Value.EditWindow;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Requests.Count > 0)
        {
            // State from before digests: those posts still answer a re-sent form as before; written with the next change.
            state.State.Posts.Adopt(state.State.Requests.Select(r => (r.Key, (string?)r.Value)), CommentRules.RememberedRequests);
            state.State.Requests.Clear();
        }

        return Task.CompletedTask;
    }

    Task<CommentThreadView> ICommentThreadGrain.GetAsync() => Task.FromResult(new CommentThreadView([.. state.State.Comments]));

    Task<string?> ICommentThreadGrain.ReportedTextAsync(string commentId) =>
        Task.FromResult(Find(commentId) is { AwaitingModeration: true } ? reported.State.Texts.GetValueOrDefault(commentId) : null);

    async Task<CommandResult<Comment>> ICommentThreadGrain.PostAsync(CommentDraft draft)
    {
        await DeliverAsync();
        if (draft.RequestId is not { Length: > 0 and <= RememberedRequests.MaxRequestIdLength })
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.InvalidRequestId,
                $"A request id of 1 to {RememberedRequests.MaxRequestIdLength} characters is required.", "requestId");
        }

        var digest = RememberedRequests.Digest("post", draft.AuthorSub, draft.ParentId, draft.Text, draft.AsWard);
        var seen = state.State.Posts.Check(draft.RequestId, digest, out var madeId);
        if (seen != RequestSeen.New && state.State.Comments.FirstOrDefault(c => c.Id == madeId) is { } made)
        {
            if (made.AuthorSub != draft.AuthorSub)
            {
                return CommandResult<Comment>.Refused(CommentErrorCodes.InvalidRequestId, "This request id was used by someone else.", "requestId");
            }

            // The same form sent twice, or a retry whose answer was lost: the comment it made, nothing new. Other words under
            // the same id are refused: answering with the old comment would tell the sender their new words were posted.
            return seen == RequestSeen.Repeated
                ? CommandResult<Comment>.Done(made)
                : CommandResult<Comment>.Refused(CommentErrorCodes.RequestIdReused,
                    "This request id was already used for a comment with other words; send a new request id to post these.", "requestId");
        }

        var (text, error) = CommentValidation.Text(draft.Text);
        if (error is not null)
        {
            return new CommandResult<Comment>(null, error.Code, [error]);
        }

        if (draft.AsWard && !draft.MayAnswerAsWard)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.NotWardStaff, "Only staff who screen proposals, department staff, moderators and administrators may answer as the ward.", "asWard");
        }

        if (draft.ParentId is { } parentId)
        {
            if (state.State.Comments.FirstOrDefault(c => c.Id == parentId) is not { } parent)
            {
                return CommandResult<Comment>.Refused(CommentErrorCodes.NotFound, "The comment to reply to does not exist.", "parentId");
            }

            if (parent.ParentId is not null)
            {
                return CommandResult<Comment>.Refused(CommentErrorCodes.ReplyDepth, "Replies go one level deep: reply to the first comment of the conversation.", "parentId");
            }

            if (parent.Status != CommentStatus.Visible)
            {
                return CommandResult<Comment>.Refused(CommentErrorCodes.ParentNotOpen, "This comment was hidden or deleted, so it takes no replies.", "parentId");
            }
        }

        if (state.State.Comments.Count >= CommentRules.MaxPerThread)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.ThreadFull, $"This proposal has reached {CommentRules.MaxPerThread} comments; no more can be added.");
        }

        // Staff answering as the ward have a limit of their own, apart from what they write as themselves.
        var kind = draft.AsWard ? CommentValidation.WardKind : CommentValidation.PostKind;
        if (await Quota(draft.AuthorSub).TakeAsync(kind) is { } wait)
        {
            return RateLimited(wait, CommentValidation.LimitOf(kind));
        }

        var now = time.GetUtcNow();
        var comment = new Comment($"c-{state.State.NextNumber:0000}", draft.ParentId, draft.AuthorSub, draft.AsWard, text, now, null,
            CommentStatus.Visible, null, null, [], false);
        state.State.NextNumber++;
        state.State.Comments.Add(comment);
        state.State.Posts.Remember(draft.RequestId, digest, comment.Id, CommentRules.RememberedRequests);

        if (draft.AsWard)
        {
            state.State.PendingAudit.Add(new AuditEntry($"{AuditId(comment.Id)}:ward-answer", now, draft.AuthorSub, draft.AuthorName,
                "comment.ward-answer", Subject(comment.Id), null, text));
        }

        await WriteAndDeliverAsync();
        return CommandResult<Comment>.Done(comment);
    }

    async Task<CommandResult<Comment>> ICommentThreadGrain.EditAsync(string authorSub, string commentId, string text)
    {
        await DeliverAsync();
        if (Own(authorSub, commentId) is { } refused)
        {
            return refused;
        }

        // A report awaits a moderator: the words stay as reported until one has looked (an edit could otherwise show the
        // moderator harmless words, be kept, and be edited back). Deleting stays allowed: it takes the words away.
        var comment = Find(commentId)!;
        if (comment.AwaitingModeration)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.UnderReview,
                "This comment was reported and awaits a moderator, so it cannot be edited now; you may still delete it.");
        }

        var (clean, error) = CommentValidation.Text(text);
        if (error is not null)
        {
            return new CommandResult<Comment>(null, error.Code, [error]);
        }

        if (comment.Text == clean)
        {
            return CommandResult<Comment>.Done(comment);
        }

        // Edits take nothing from the rate limit: the edit window (and the API's request limit) bounds them already.
        var edited = comment with { Text = clean, EditedAt = time.GetUtcNow() };
        Replace(edited);
        await WriteAndDeliverAsync();
        return CommandResult<Comment>.Done(edited);
    }

    async Task<CommandResult<Comment>> ICommentThreadGrain.DeleteAsync(string authorSub, string commentId)
    {
        await DeliverAsync();
        if (Find(commentId) is { Status: CommentStatus.Deleted } already && already.AuthorSub == authorSub)
        {
            return CommandResult<Comment>.Done(already);
        }

        if (Own(authorSub, commentId) is { } refused)
        {
            return refused;
        }

        // Nothing of the text is kept: its author took it back within the window. A comment with open reports leaves the queue.
        var deleted = Find(commentId)! with { Text = "", Status = CommentStatus.Deleted, EditedAt = time.GetUtcNow(), AwaitingModeration = false };
        if (Find(commentId)!.AwaitingModeration)
        {
            state.State.PendingQueueRemovals.Add(commentId);
        }

        Replace(deleted);
        await WriteAndDeliverAsync();
        await ForgetReportedTextAsync(commentId);
        return CommandResult<Comment>.Done(deleted);
    }

    async Task<CommandResult<Comment>> ICommentThreadGrain.ReportAsync(Actor reporter, string commentId, string reason)
    {
        await DeliverAsync();
        var (comment, clean, refusal) = WithReason(commentId, reason);
        if (refusal is not null)
        {
            return refusal;
        }

        if (comment.Status == CommentStatus.Deleted)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.Deleted, "This comment was deleted by its author.");
        }

        if (comment.Status == CommentStatus.Hidden)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.Hidden, "This comment is already hidden.");
        }

        if (comment.AuthorSub == reporter.Sub)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.OwnComment, "You cannot report your own comment; edit or delete it instead.");
        }

        // One account reports the same words once: again while the report waits, or after a moderator kept those words, is
        // refused (409), so nobody puts a comment back in the queue over and over. Words edited after a moderator kept them are
        // new words: anyone may report them, the earlier reporters too.
        if (CommentValidation.HasReported(comment, reporter.Sub))
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.AlreadyReported,
                comment.Reports.Any(r => r.ReporterSub == reporter.Sub && !r.Settled)
                    ? "You reported this comment already; it awaits a moderator."
                    : "You reported these words already, and a moderator has looked at them.");
        }

        if (await Quota(reporter.Sub).TakeAsync(CommentValidation.ReportKind) is { } wait)
        {
            return RateLimited(wait, CommentRules.ReportsPerWindow);
        }

        var now = time.GetUtcNow();
        var reports = comment.Reports.Count < CommentRules.MaxReportsPerComment
            ? [.. comment.Reports, new CommentReport(reporter.Sub, clean, now, TextHash: CommentValidation.TextHash(comment.Text))]
            : comment.Reports;
        var reportedComment = comment with { Reports = reports, AwaitingModeration = true };

        // The words as reported are kept with the report (written first: a thread write that fails after it leaves only a
        // text nobody reads), so the moderator reads what the reporters read.
        if (reported.State.Texts.GetValueOrDefault(commentId) != comment.Text)
        {
            reported.State.Texts[commentId] = comment.Text;
            await reported.WriteStateAsync();
        }

        Replace(reportedComment);

        // The queue counts the people who reported since the last moderator's step, each once.
        var open = reports.Where(r => !r.Settled).ToList();
        state.State.PendingQueue.Add(new ModerationItem(RoundId, ProposalId, commentId, Math.Max(1, open.Select(r => r.ReporterSub).Distinct(StringComparer.Ordinal).Count()),
            open.Select(r => r.At).DefaultIfEmpty(now).Min(), clean));
        state.State.PendingAudit.Add(new AuditEntry($"{AuditId(commentId)}:report:{reports.Count}:{reporter.Sub}", now, reporter.Sub, reporter.Name,
            "comment.reported", Subject(commentId), null, clean));
        await WriteAndDeliverAsync();
        return CommandResult<Comment>.Done(reportedComment);
    }

    async Task<CommandResult<Comment>> ICommentThreadGrain.HideAsync(Actor moderator, string commentId, string reason)
    {
        await DeliverAsync();
        var (comment, clean, refusal) = WithReason(commentId, reason);
        if (refusal is not null)
        {
            return refusal;
        }

        if (comment.Status == CommentStatus.Deleted)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.Deleted, "This comment was deleted by its author.");
        }

        if (comment.Status == CommentStatus.Hidden)
        {
            return comment.ModerationReason == clean
                ? CommandResult<Comment>.Done(comment)
                : CommandResult<Comment>.Refused(CommentErrorCodes.Hidden, "This comment is already hidden.");
        }

        var title = await ProposalTitleAsync();
        var now = time.GetUtcNow();
        var hidden = comment with
        {
            Status = CommentStatus.Hidden,
            ModerationReason = clean,
            ModeratedAt = now,
            AwaitingModeration = false,
            Reports = Settle(comment.Reports),
        };
        Replace(hidden);
        state.State.PendingQueueRemovals.Add(commentId);
        state.State.PendingNotices.Add(new(comment.AuthorSub, CommentNotices.Hidden(RoundId, ProposalId, title, comment, clean, now)));

        // The hidden words are kept for the record here, in the audit log: never again on a public page or in the public API.
        // An entry's values are cut at AuditEntry.ValueMaxLength, so longer words follow in numbered parts (comment.hidden-text).
        var id = $"{AuditId(commentId)}:hidden:{now.ToUnixTimeMilliseconds()}";
        var parts = Parts(comment.Text);
        state.State.PendingAudit.Add(new AuditEntry(id, now, moderator.Sub, moderator.Name, "comment.hidden", Subject(commentId),
            parts.Count == 1 ? parts[0] : $"(1/{parts.Count}) {parts[0]}", clean));
        for (var i = 1; i < parts.Count; i++)
        {
            state.State.PendingAudit.Add(new AuditEntry($"{id}:{i + 1}", now, moderator.Sub, moderator.Name, "comment.hidden-text", Subject(commentId),
                $"({i + 1}/{parts.Count}) {parts[i]}", null));
        }
        await WriteAndDeliverAsync();
        await ForgetReportedTextAsync(commentId);
        return CommandResult<Comment>.Done(hidden);
    }

    async Task<CommandResult<Comment>> ICommentThreadGrain.RestoreAsync(Actor moderator, string commentId, string reason)
    {
        await DeliverAsync();
        var (comment, clean, refusal) = WithReason(commentId, reason);
        if (refusal is not null)
        {
            return refusal;
        }

        if (comment.Status != CommentStatus.Hidden && !comment.AwaitingModeration)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.NotHidden, "This comment is neither hidden nor reported.");
        }

        var title = await ProposalTitleAsync();
        var now = time.GetUtcNow();
        var restored = comment with
        {
            Status = comment.Status == CommentStatus.Hidden ? CommentStatus.Visible : comment.Status,
            ModerationReason = null,
            ModeratedAt = now,
            AwaitingModeration = false,
            Reports = Settle(comment.Reports),
        };
        Replace(restored);
        state.State.PendingQueueRemovals.Add(commentId);
        if (comment.Status == CommentStatus.Hidden)
        {
            // Shown again: its author is told, as they were told of the hiding. Reports merely dismissed tell nobody anything.
            state.State.PendingNotices.Add(new(comment.AuthorSub, CommentNotices.Restored(RoundId, ProposalId, title, comment, clean, now)));
        }

        state.State.PendingAudit.Add(new AuditEntry($"{AuditId(commentId)}:restored:{now.ToUnixTimeMilliseconds()}", now, moderator.Sub, moderator.Name,
            comment.Status == CommentStatus.Hidden ? "comment.restored" : "comment.reports-dismissed", Subject(commentId), comment.ModerationReason, clean));
        await WriteAndDeliverAsync();
        await ForgetReportedTextAsync(commentId);
        return CommandResult<Comment>.Done(restored);
    }

    private CommandResult<Comment>? Own(string authorSub, string commentId)
    {
        if (Find(commentId) is not { } comment)
        {
            return NotFound();
        }

        if (comment.AuthorSub != authorSub)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.NotAuthor, "Only the author may change or delete a comment.");
        }

        return comment.Status switch
        {
            CommentStatus.Hidden => CommandResult<Comment>.Refused(CommentErrorCodes.Hidden, "This comment was hidden by a moderator and cannot be changed."),
            CommentStatus.Deleted => CommandResult<Comment>.Refused(CommentErrorCodes.Deleted, "This comment was deleted."),
            _ when time.GetUtcNow() - comment.PostedAt >= EditWindow => CommandResult<Comment>.Refused(CommentErrorCodes.EditWindowPassed,
                $"A comment may be changed or deleted within {options.Value.EditMinutes} minutes of posting; that time has passed."),
            _ => null,
        };
    }

    /// <summary>The words in pieces that fit an audit value with a "(n/m) " prefix.</summary>
    private static List<string> Parts(string text)
    {
        const int size = AuditEntry.ValueMaxLength - 12;
        return [.. Enumerable.Range(0, Math.Max(1, (text.Length + size - 1) / size)).Select(i => text.Substring(i * size, Math.Min(size, text.Length - (i * size))))];
    }

    private static CommandResult<Comment> RateLimited(TimeSpan wait, int limit) =>
        CommandResult<Comment>.Refused(CommentErrorCodes.RateLimited,
            $"At most {limit} in {CommentRules.RateWindow.TotalMinutes:0} minutes from one account; try again in {Math.Ceiling(wait.TotalMinutes):0} minutes.",
            retryAfter: wait);

    /// <summary>A moderator acted: the reports so far are answered (kept for the record, no longer counted in the queue).</summary>
    private static IReadOnlyList<CommentReport> Settle(IReadOnlyList<CommentReport> reports) => [.. reports.Select(r => r with { Settled = true })];

    private static CommandResult<Comment> NotFound() => CommandResult<Comment>.Refused(CommentErrorCodes.NotFound, "There is no such comment.");

    private Comment? Find(string commentId) => state.State.Comments.FirstOrDefault(c => c.Id == commentId);

    /// <summary>The comment a report or a moderator's step acts on, with its reason cleaned; or why the step is refused.</summary>
    private (Comment Comment, string Reason, CommandResult<Comment>? Refusal) WithReason(string commentId, string reason)
    {
        if (Find(commentId) is not { } comment)
        {
            return (null!, "", NotFound());
        }

        var (clean, error) = CommentValidation.Reason(reason);
        return error is null ? (comment, clean, null) : (comment, "", new CommandResult<Comment>(null, error.Code, [error]));
    }

    private void Replace(Comment comment) => state.State.Comments[state.State.Comments.FindIndex(c => c.Id == comment.Id)] = comment;

    private ICommentQuotaGrain Quota(string sub) => GrainFactory.GetGrain<ICommentQuotaGrain>(sub);

    /// <summary>The proposal's title in both languages for a notice (its id when the proposal cannot be read).</summary>
    private async Task<(string Ja, string En)> ProposalTitleAsync()
    {
        var proposal = await GrainFactory.GetGrain<IProposalGrain>(this.GetPrimaryKeyString()).GetAsync();
        return proposal is null ? (ProposalId, ProposalId) : (proposal.Content.Title, proposal.Content.TitleEn ?? proposal.Content.Title);
    }

    /// <summary>
    /// A moderator acted, or the author deleted the comment (written first): the words as reported are no longer needed. A
    /// failure here leaves a text nobody reads (<see cref="ICommentThreadGrain.ReportedTextAsync"/> answers only while awaiting).
    /// </summary>
    private async Task ForgetReportedTextAsync(string commentId)
    {
        if (reported.State.Texts.Remove(commentId))
        {
            await reported.WriteStateAsync();
        }
    }

    private string Subject(string commentId) => $"comment:{ProposalId}:{commentId}";

    private string AuditId(string commentId) => $"comment:{ProposalId}:{commentId}";

    private async Task WriteAndDeliverAsync()
    {
        await state.WriteStateAsync();
        await DeliverAsync();
    }

    /// <summary>Delivers the outbox (audit entries by fixed id, queue changes, both idempotent), then clears it.</summary>
    private async Task DeliverAsync()
    {
        var s = state.State;
        if (s.PendingAudit.Count == 0 && s.PendingQueue.Count == 0 && s.PendingQueueRemovals.Count == 0 && s.PendingNotices.Count == 0)
        {
            return;
        }

        var log = new GrainAuditLog(GrainFactory);
        foreach (var entry in s.PendingAudit)
        {
            await log.AppendAsync(RoundId, entry);
        }

        var queue = GrainFactory.GetGrain<ICommentModerationGrain>(ICommentModerationGrain.WardKey);
        foreach (var item in s.PendingQueue)
        {
            await queue.UpsertAsync(item);
        }

        foreach (var commentId in s.PendingQueueRemovals)
        {
            await queue.RemoveAsync(RoundId, ProposalId, commentId);
        }

        // Idempotent by notice id: a redelivery after a failed clear is ignored by the inbox.
        foreach (var (sub, notice) in s.PendingNotices)
        {
            await GrainFactory.GetGrain<INotificationInboxGrain>(sub).DeliverAsync(notice);
        }

        s.PendingNotices.Clear();
        s.PendingAudit.Clear();
        s.PendingQueue.Clear();
        s.PendingQueueRemovals.Clear();
        await state.WriteStateAsync();
    }
}

[GenerateSerializer, Alias("civic.comment-moderation-state")]
public sealed class CommentModerationState
{
    [Id(0)] public List<ModerationItem> Items { get; set; } = [];
}

/// <summary>
/// The ward's moderation queue: one item per reported comment awaiting a moderator (~300 bytes; capped at 2,000, oldest
/// kept: an item beyond the cap stays awaiting in its thread and is queued again by its next report).
/// </summary>
[GrainType("comment-moderation")]
public sealed class CommentModerationGrain(
    [PersistentState("moderation", StorageNames.GrainState)] IPersistentState<CommentModerationState> state) : Grain, ICommentModerationGrain
{
    public const int MaxItems = 2_000;

    async Task ICommentModerationGrain.UpsertAsync(ModerationItem item)
    {
        var index = state.State.Items.FindIndex(i => Same(i, item.RoundId, item.ProposalId, item.CommentId));
        if (index >= 0)
        {
            if (state.State.Items[index] == item)
            {
                return;
            }

            state.State.Items[index] = item with { FirstReportedAt = state.State.Items[index].FirstReportedAt };
        }
        else if (state.State.Items.Count < MaxItems)
        {
            state.State.Items.Add(item);
        }
        else
        {
            return;
        }

        await state.WriteStateAsync();
    }

    async Task ICommentModerationGrain.RemoveAsync(string roundId, string proposalId, string commentId)
    {
        if (state.State.Items.RemoveAll(i => Same(i, roundId, proposalId, commentId)) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    Task<IReadOnlyList<ModerationItem>> ICommentModerationGrain.ListAsync() =>
        Task.FromResult<IReadOnlyList<ModerationItem>>([.. state.State.Items.OrderBy(i => i.FirstReportedAt)]);

    private static bool Same(ModerationItem item, string roundId, string proposalId, string commentId) =>
        item.RoundId == roundId && item.ProposalId == proposalId && item.CommentId == commentId;
}

/// <summary>
/// One account's recent comments and reports, in memory: the window (10 minutes) is shorter than the idle time after
/// which Orleans collects an activation, so a collected activation had nothing left in its window anyway.
/// </summary>
[GrainType("comment-quota")]
public sealed class CommentQuotaGrain(TimeProvider time) : Grain, ICommentQuotaGrain
{
    private readonly Dictionary<string, Queue<DateTimeOffset>> _taken = new(StringComparer.Ordinal);

    Task<TimeSpan?> ICommentQuotaGrain.TakeAsync(string kind)
    {
        var limit = CommentValidation.LimitOf(kind);
        var now = time.GetUtcNow();
        if (!_taken.TryGetValue(kind, out var times))
        {
            _taken[kind] = times = new Queue<DateTimeOffset>();
        }

        while (times.Count > 0 && now - times.Peek() >= CommentRules.RateWindow)
        {
            times.Dequeue();
        }

        if (times.Count >= limit)
        {
            return Task.FromResult<TimeSpan?>(times.Peek() + CommentRules.RateWindow - now);
        }

        times.Enqueue(now);
        return Task.FromResult<TimeSpan?>(null);
    }
}
