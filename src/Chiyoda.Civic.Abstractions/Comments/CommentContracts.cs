using System.Text;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Comments;

/// <summary>Limits every comment and report keeps; the numbers keep one thread's state far below the ~960 KB entity cap.</summary>
public static class CommentRules
{
    /// <summary>Characters of a comment (after trimming): a paragraph. The grain-state JSON escapes kana as \uXXXX (6 bytes).</summary>
    public const int MaxLength = 500;

    /// <summary>Comments in one thread (replies and deleted ones count): 200 × ~3.4 KB worst case ≈ 680 KB.</summary>
    public const int MaxPerThread = 200;

    /// <summary>Characters of a report's reason, and of a moderator's public reason.</summary>
    public const int ReasonMaxLength = 200;

    /// <summary>Reports a comment keeps (the queue needs the reasons, not every one of a pile-on).</summary>
    public const int MaxReportsPerComment = 20;

    /// <summary>
    /// Per account, across every thread: new comments and replies in <see cref="RateWindow"/>. Edits do not count: fixing a
    /// typo within the edit window is never refused for having written.
    /// </summary>
    public const int PostsPerWindow = 5;

    /// <summary>Per staff account: answers as the ward in <see cref="RateWindow"/>, a limit of their own (staff answer many questions in a row).</summary>
    public const int WardAnswersPerWindow = 30;

    /// <summary>Per account, across every thread: reports in <see cref="RateWindow"/>.</summary>
    public const int ReportsPerWindow = 10;

    public static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(10);

    /// <summary>Request ids remembered per thread, so a re-sent form or a retried API call posts nothing twice.</summary>
    public const int RememberedRequests = 64;
}

/// <summary>Settings (<c>Comments:EditMinutes</c>): how long after posting its author may still edit or delete a comment.</summary>
public sealed class CommentOptions
{
    public const string Section = "Comments";

    public int EditMinutes { get; set; } = 15;

    public TimeSpan EditWindow => TimeSpan.FromMinutes(EditMinutes);
}

public static class CommentErrorCodes
{
    public const string Empty = "comment-empty";
    public const string TooLong = "comment-too-long";
    public const string Html = "comment-html";
    public const string ReasonRequired = "reason-required";
    public const string ReasonTooLong = "reason-too-long";
    public const string NotFound = "comment-not-found";
    public const string ProposalNotFound = "proposal-not-found";
    public const string Closed = "comments-closed";
    public const string ReplyDepth = "reply-depth";
    public const string ParentNotOpen = "parent-not-open";
    public const string NotAuthor = "not-author";
    public const string EditWindowPassed = "edit-window-passed";
    public const string Hidden = "comment-hidden";
    public const string NotHidden = "comment-not-hidden";
    public const string Deleted = "comment-deleted";
    public const string NotWardStaff = "not-ward-staff";
    public const string NotAllowed = "comment-not-allowed";
    public const string ThreadFull = "thread-full";
    public const string RateLimited = "rate-limited";
    public const string InvalidRequestId = "invalid-request-id";

    /// <summary>A post's request id sent again with other words (the same code as a ballot's reused <c>Idempotency-Key</c>).</summary>
    public const string RequestIdReused = RememberedRequests.ReusedCode;

    /// <summary>Text that holds a bidi override, embedding or isolate (U+202A–U+202E, U+2066–U+2069): refused, never removed quietly.</summary>
    public const string DirectionControl = "text-direction-control";
    public const string OwnComment = "own-comment";
    public const string AlreadyReported = "already-reported";
    public const string ProposalClosed = "proposal-closed";

    /// <summary>An edit while a report on the comment awaits a moderator (deleting stays allowed).</summary>
    public const string UnderReview = "comment-under-review";
}

public enum CommentStatus
{
    Visible = 0,
    Hidden = 1,
    Deleted = 2,
}

/// <summary>
/// One report of a comment. <see cref="Settled"/>: a moderator has acted on the comment since (hidden, restored or kept).
/// <see cref="TextHash"/>: which words were reported (<see cref="CommentValidation.TextHash"/>; null for reports made before it
/// was kept), so one account reports the same words once, and words edited after a moderator kept them may be reported anew.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.comment-report")]
public sealed record CommentReport(
    [property: Id(0)] string ReporterSub,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] bool Settled = false,
    [property: Id(4)] string? TextHash = null);

/// <summary>
/// One comment as the thread stores it. <see cref="Text"/> of a hidden comment is kept here and in the audit log
/// for the record, never in a public view (<see cref="CommentThreadView.ForPublic"/>); a deleted comment keeps no text.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.comment")]
public sealed record Comment(
    [property: Id(0)] string Id,
    [property: Id(1)] string? ParentId,
    [property: Id(2)] string AuthorSub,
    [property: Id(3)] bool AsWard,
    [property: Id(4)] string Text,
    [property: Id(5)] DateTimeOffset PostedAt,
    [property: Id(6)] DateTimeOffset? EditedAt,
    [property: Id(7)] CommentStatus Status,
    [property: Id(8)] string? ModerationReason,
    [property: Id(9)] DateTimeOffset? ModeratedAt,
    [property: Id(10)] IReadOnlyList<CommentReport> Reports,
    [property: Id(11)] bool AwaitingModeration);

/// <summary>
/// A comment as anyone may see it: no account, only a label per thread (「参加者 2」), and no text unless visible.
/// <see cref="Mine"/>, <see cref="Editable"/>, <see cref="UnderReview"/> (the reader's own comment has a report awaiting a
/// moderator, so it cannot be edited now) and <see cref="ReportedByMe"/> (the reader reported these words already) are for
/// the reader the view was made for.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.public-comment")]
public sealed record PublicComment(
    [property: Id(0)] string Id,
    [property: Id(1)] string? ParentId,
    [property: Id(2)] int Participant,
    [property: Id(3)] bool AsWard,
    [property: Id(4)] string? Text,
    [property: Id(5)] DateTimeOffset PostedAt,
    [property: Id(6)] DateTimeOffset? EditedAt,
    [property: Id(7)] CommentStatus Status,
    [property: Id(8)] string? ModerationReason,
    [property: Id(9)] bool Mine,
    [property: Id(10)] bool Editable,
    [property: Id(11)] IReadOnlyList<PublicComment> Replies,
    [property: Id(12)] bool UnderReview = false,
    [property: Id(13)] bool ReportedByMe = false);

[GenerateSerializer, Immutable, Alias("civic.comment-thread-view")]
public sealed record CommentThreadView(
    [property: Id(0)] IReadOnlyList<Comment> Comments)
{
    /// <summary>
    /// The thread as the public page and API show it, for <paramref name="readerSub"/> (null: anonymous): top-level
    /// comments oldest first with their replies. Participants are numbered by their first comment in the thread, so
    /// replies can be followed without naming anyone; the ward's answers carry no number. A deleted comment leaves no
    /// trace unless replies to it are still there: then it keeps its place (「削除されたコメント」) so they read in context.
    /// </summary>
    public IReadOnlyList<PublicComment> ForPublic(string? readerSub, DateTimeOffset now, TimeSpan editWindow)
    {
        var numbers = Numbers();
        PublicComment Project(Comment c, IReadOnlyList<PublicComment> replies)
        {
            var mine = readerSub is not null && c.AuthorSub == readerSub;
            var visible = c.Status == CommentStatus.Visible;
            return new PublicComment(c.Id, c.ParentId, c.AsWard ? 0 : numbers[c.AuthorSub], c.AsWard,
                visible ? c.Text : null, c.PostedAt, c.EditedAt, c.Status,
                c.Status == CommentStatus.Hidden ? c.ModerationReason : null, mine,
                mine && visible && now - c.PostedAt < editWindow, replies,
                UnderReview: mine && visible && c.AwaitingModeration,
                ReportedByMe: readerSub is not null && visible && CommentValidation.HasReported(c, readerSub));
        }

        return [.. Comments.Where(c => c.ParentId is null)
            .Select(c => Project(c, [.. Comments.Where(r => r.ParentId == c.Id && r.Status != CommentStatus.Deleted).Select(r => Project(r, []))]))
            .Where(c => c.Status != CommentStatus.Deleted || c.Replies.Count > 0)];
    }

    /// <summary>The label number of a comment's author in this thread (0 for the ward's answers), whatever the comment's status.</summary>
    public int ParticipantOf(Comment comment) => comment.AsWard ? 0 : Numbers()[comment.AuthorSub];

    private Dictionary<string, int> Numbers()
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in Comments.Where(c => !c.AsWard))
        {
            numbers.TryAdd(c.AuthorSub, numbers.Count + 1);
        }

        return numbers;
    }
}

/// <summary>A new comment or reply. <see cref="AsWard"/> is an answer from the ward, allowed when <see cref="MayAnswerAsWard"/> (staff roles, set by the web).</summary>
[GenerateSerializer, Immutable, Alias("civic.comment-draft")]
public sealed record CommentDraft(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string AuthorSub,
    [property: Id(2)] string AuthorName,
    [property: Id(3)] string? ParentId,
    [property: Id(4)] string Text,
    [property: Id(5)] bool AsWard = false,
    [property: Id(6)] bool MayAnswerAsWard = false);

/// <summary>One line of the staff moderation queue: a comment with reports nobody has acted on yet.</summary>
[GenerateSerializer, Immutable, Alias("civic.moderation-item")]
public sealed record ModerationItem(
    [property: Id(0)] string RoundId,
    [property: Id(1)] string ProposalId,
    [property: Id(2)] string CommentId,
    [property: Id(3)] int Reports,
    [property: Id(4)] DateTimeOffset FirstReportedAt,
    [property: Id(5)] string LatestReason);

/// <summary>
/// The comments on one published proposal (key <c>{roundId}:{proposalId}</c>). Residents and participants write, reply one
/// level, edit and delete their own within the edit window; staff answer as the ward; anyone signed in reports; moderators
/// hide and restore with a public reason. Whether the proposal is public and the round takes comments is the web's check
/// (<c>CommentService</c>), as for following; the thread enforces everything about the comments themselves.
/// </summary>
[Alias("civic.ICommentThreadGrain")]
public interface ICommentThreadGrain : IGrainWithStringKey
{
    [Alias("get"), ReadOnly]
    Task<CommentThreadView> GetAsync();

    /// <summary>
    /// For moderators: the words of a comment as they were when the report now awaiting a moderator was made (kept with the
    /// reports, apart from the thread's own state, until a moderator acts or the author deletes it); null when none awaits.
    /// </summary>
    [Alias("reported-text"), ReadOnly]
    Task<string?> ReportedTextAsync(string commentId);

    [Alias("post")]
    Task<CommandResult<Comment>> PostAsync(CommentDraft draft);

    [Alias("edit")]
    Task<CommandResult<Comment>> EditAsync(string authorSub, string commentId, string text);

    [Alias("delete")]
    Task<CommandResult<Comment>> DeleteAsync(string authorSub, string commentId);

    [Alias("report")]
    Task<CommandResult<Comment>> ReportAsync(Actor reporter, string commentId, string reason);

    /// <summary>Moderators: hides a comment; the public sees the reason in its place; the text goes to the audit log.</summary>
    [Alias("hide")]
    Task<CommandResult<Comment>> HideAsync(Actor moderator, string commentId, string reason);

    /// <summary>Moderators: shows a hidden comment again, or dismisses its reports (the public reason is recorded in the audit log).</summary>
    [Alias("restore")]
    Task<CommandResult<Comment>> RestoreAsync(Actor moderator, string commentId, string reason);
}

/// <summary>Per account (key: the sub), across threads: how many comments and reports in the last <see cref="CommentRules.RateWindow"/>.</summary>
[Alias("civic.ICommentQuotaGrain")]
public interface ICommentQuotaGrain : IGrainWithStringKey
{
    /// <summary>Takes one unit of <paramref name="kind"/> (<c>post</c>, <c>ward</c> or <c>report</c>); null when allowed, else how long to wait.</summary>
    [Alias("take")]
    Task<TimeSpan?> TakeAsync(string kind);
}

/// <summary>The ward's moderation queue (key <c>ward</c>): comments with reports awaiting a moderator, ~300 bytes each.</summary>
[Alias("civic.ICommentModerationGrain")]
public interface ICommentModerationGrain : IGrainWithStringKey
{
    public const string WardKey = "ward";

    [Alias("upsert")]
    Task UpsertAsync(ModerationItem item);

    [Alias("remove")]
    Task RemoveAsync(string roundId, string proposalId, string commentId);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<ModerationItem>> ListAsync();
}

public static partial class CommentValidation
{
    public const string PostKind = "post";
    public const string WardKind = "ward";
    public const string ReportKind = "report";

    /// <summary>How many of <paramref name="kind"/> one account may take in <see cref="CommentRules.RateWindow"/>.</summary>
    public static int LimitOf(string kind) => kind switch
    {
        ReportKind => CommentRules.ReportsPerWindow,
        WardKind => CommentRules.WardAnswersPerWindow,
        _ => CommentRules.PostsPerWindow,
    };

    public static string Key(string roundId, string proposalId) => $"{roundId}:{proposalId}";

    /// <summary>A short fingerprint of a comment's words (16 hex digits of SHA-256), kept with each report instead of the words.</summary>
    public static string TextHash(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>
    /// Whether <paramref name="sub"/> reported the comment's present words already (awaiting or settled). A report kept from
    /// before fingerprints counts for any words: such an account was refused a second report before, and still is.
    /// </summary>
    public static bool HasReported(Comment comment, string sub)
    {
        if (comment.Reports.Count == 0)
        {
            return false;
        }

        var hash = TextHash(comment.Text);
        return comment.Reports.Any(r => r.ReporterSub == sub && (r.TextHash is null || r.TextHash == hash));
    }

    /// <summary>
    /// Plain text only: line breaks kept (CRLF → LF), other control characters and invisible format characters dropped
    /// (<see cref="InvisibleText.Clean"/>: zero-width spaces and the like; a zero-width joiner only between emoji is kept),
    /// trimmed. Characters that reverse or reorder the text (bidi overrides and isolates) and a string that holds an HTML tag
    /// are refused rather than silently changed; links stay text (pages never make anchors of them).
    /// </summary>
    public static (string Text, ValidationError? Error) Text(string? raw)
    {
        if (InvisibleText.FirstDirectionControl(raw) is { } control)
        {
            return ("", DirectionControl("text", control));
        }

        var text = InvisibleText.Clean(raw).Trim();
        if (text.Length == 0)
        {
            return (text, new("text", CommentErrorCodes.Empty, "Write the comment (it is empty)."));
        }

        if (TextLength.Characters(text) is var characters && characters > CommentRules.MaxLength)
        {
            return (text, new("text", CommentErrorCodes.TooLong,
                $"A comment may have at most {CommentRules.MaxLength} characters; this one has {characters}."));
        }

        return LooksLikeHtml(text)
            ? (text, new("text", CommentErrorCodes.Html, "HTML cannot be used in a comment; write plain text (links are shown as text)."))
            : (text, null);
    }

    /// <summary>
    /// Whether the text holds what an HTML parser would take for markup: a tag (<c>&lt;b&gt;</c>, <c>&lt;br /&gt;</c>,
    /// <c>&lt;/p&gt;</c>, <c>&lt;a href=</c>), a comment or declaration (<c>&lt;!--</c>, <c>&lt;!DOCTYPE</c>), or the start of an
    /// element that runs script or loads something (<c>&lt;script</c>, <c>&lt;img</c>, <c>&lt;iframe</c> …, closed or not).
    /// Any other <c>&lt;</c> and <c>&gt;</c> is ordinary writing, kept as written (<c>a &lt; b</c>, <c>1 &lt; 2 &gt; 0</c>,
    /// <c>x&lt;y</c>, <c>&lt;3</c>, <c>&lt;注意&gt;</c>): a tag name starts with an ASCII letter right after <c>&lt;</c>, so a
    /// space, a digit or a kana there makes no tag. Entities (<c>&amp;amp;</c>) are text as well: pages encode every comment,
    /// so they show as typed.
    /// </summary>
    public static bool LooksLikeHtml(string text) => HtmlMarkup().IsMatch(text);

    public static (string Reason, ValidationError? Error) Reason(string? raw)
    {
        if (InvisibleText.FirstDirectionControl(raw) is { } control)
        {
            return ("", DirectionControl("reason", control));
        }

        // A reason is one line (shown in place of a hidden comment, and in the queue): control characters, line breaks
        // included, become spaces, as before; invisible format characters go.
        var reason = InvisibleText.Clean(string.Concat((raw ?? "").Select(c => char.IsControl(c) ? ' ' : c))).Trim();
        if (reason.Length == 0)
        {
            return (reason, new("reason", CommentErrorCodes.ReasonRequired, "Give a reason."));
        }

        return TextLength.Characters(reason) is var characters && characters > CommentRules.ReasonMaxLength
            ? (reason, new("reason", CommentErrorCodes.ReasonTooLong, $"A reason may have at most {CommentRules.ReasonMaxLength} characters; this one has {characters}."))
            : (reason, null);
    }

    private static ValidationError DirectionControl(string field, System.Text.Rune control) =>
        new(field, CommentErrorCodes.DirectionControl,
            $"The text holds an invisible character that changes the direction it reads in ({InvisibleText.Name(control)}); remove it and send the text again.");

    // In order: a comment or declaration (<!--, <!DOCTYPE, <![CDATA[); an end tag; a tag closed at once (<b>, <br />); a tag
    // with an attribute given a value (<a href=, <img src =); an element that runs script or loads something, closed or not.
    [GeneratedRegex(
        @"<!(--|\[|[A-Za-z])"
        + @"|</[A-Za-z]"
        + @"|<[A-Za-z][A-Za-z0-9-]*\s*/?>"
        + @"|<[A-Za-z][A-Za-z0-9-]*\s+[A-Za-z_:@][-A-Za-z0-9_:.@]*\s*="
        + @"|<(script|style|iframe|frame|frameset|img|image|svg|math|object|embed|applet|link|meta|base|form|input|button|textarea"
        + @"|select|option|video|audio|source|track|template|body|html|head|marquee|details|dialog|noscript|xmp|plaintext)(?![A-Za-z0-9-])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlMarkup();
}
