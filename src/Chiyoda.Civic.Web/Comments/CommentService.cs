using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Proposals;
using Chiyoda.Civic.Web.RoundResults;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Comments;

/// <summary>
/// A comment thread as one reader sees it: whether it takes comments now (and if not, why: <see cref="ClosedCode"/> is
/// <c>comments-closed</c> for the round, <c>proposal-closed</c> for a withdrawn or declined proposal), and the comments.
/// </summary>
public sealed record CommentsView(bool Open, IReadOnlyList<PublicComment> Comments, TimeSpan EditWindow, string? ClosedCode = null)
{
    /// <summary>Comments that are there to read (deleted ones are not counted in 「意見（N件）」; hidden ones keep their place).</summary>
    public int Count => Comments.SelectMany(c => c.Replies.Prepend(c)).Count(c => c.Status != CommentStatus.Deleted);
}

/// <summary>
/// One line of the moderation queue as staff read it: the item with its proposal's title and its round's name, the words as
/// reported, and the present words when they differ (<see cref="EditedText"/>: edited since the report).
/// </summary>
public sealed record ModerationRow(ModerationItem Item, string ProposalTitle, string RoundName, string? ReportedText = null, string? EditedText = null);

/// <summary>
/// A moderator's view of one comment: everything the thread keeps, hidden text and reports included, and the words as the
/// awaiting report was made about them (<see cref="ReportedText"/>; null when no report awaits).
/// </summary>
public sealed record ModerationView(string RoundId, string ProposalId, string ProposalTitle, Comment Comment, int Participant, string? ReportedText = null)
{
    /// <summary>The present words differ from the words as reported.</summary>
    public bool EditedSinceReport => ReportedText is not null && Comment.Status != CommentStatus.Deleted && ReportedText != Comment.Text;
}

/// <summary>
/// The one way pages and the API reach comment threads. Comments are taken on public proposals while the round is in its
/// call, screening or vote (an early close ends them); afterwards a thread is read-only. Who may answer as the ward is
/// decided here from the roles (staff), and moderation needs the moderator or administrator role (the callers' policies).
/// </summary>
public sealed class CommentService(IGrainFactory grains, ProposalService proposals, RoundService rounds, ResultsService results,
    TimeProvider time, IOptions<CommentOptions> options)
{
    private ICommentThreadGrain Thread(string roundId, string proposalId) =>
        grains.GetGrain<ICommentThreadGrain>(CommentValidation.Key(roundId, proposalId));

    public TimeSpan EditWindow => options.Value.EditWindow;

    /// <summary>
    /// The staff roles that may answer as the ward (「区からの回答」): screeners, department staff, moderators, administrators.
    /// Clerks (paper ballots, kiosk) are not among them; the refusals name these roles (Error.not-ward-staff, Error.comment-not-allowed).
    /// </summary>
    public static readonly IReadOnlyList<string> WardAnswerRoles = [Roles.Screener, Roles.Department, Roles.Moderator, Roles.Administrator];

    public static bool MayAnswerAsWard(ClaimsPrincipal user) => WardAnswerRoles.Any(user.IsInRole);

    /// <summary>Residents and participants (living, working or studying in the ward) write; so do staff, who may answer as the ward.</summary>
    public static bool MayWrite(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Resident) || user.IsInRole(Roles.Participant) || MayAnswerAsWard(user);

    /// <summary>Null when the proposal is not public (or does not exist).</summary>
    public async Task<CommentsView?> GetAsync(string roundId, string proposalId, string? readerSub)
    {
        if (await proposals.GetAsync(roundId, proposalId) is not { IsPublic: true } proposal)
        {
            return null;
        }

        var closed = ProposalTakesNoComments(proposal) ? CommentErrorCodes.ProposalClosed
            : await IsOpenAsync(roundId) ? null : CommentErrorCodes.Closed;
        var thread = await Thread(roundId, proposalId).GetAsync();
        return new CommentsView(closed is null, thread.ForPublic(readerSub, time.GetUtcNow(), EditWindow), EditWindow, closed);
    }

    public async Task<CommandResult<Comment>> PostAsync(string roundId, string proposalId, ClaimsPrincipal user, string requestId, string? parentId, string? text, bool asWard)
    {
        if (await RefuseAsync(roundId, proposalId, write: true) is { } refused)
        {
            return refused;
        }

        // Asked to answer as the ward by someone who may not: say who may (a clerk is ward staff, yet not among them).
        if (asWard && !MayAnswerAsWard(user))
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.NotWardStaff, NotWardStaffMessage, "asWard");
        }

        if (!MayWrite(user))
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.NotAllowed,
                "Comments are written by people who live, work or study in the ward (resident and participant accounts) and by the staff " +
                "who may answer as the ward (screeners, department staff, moderators and administrators); this account may not write them.");
        }

        var actor = user.ToActor();
        return await Thread(roundId, proposalId).PostAsync(new CommentDraft(requestId, actor.Sub, actor.Name, NullIfEmpty(parentId), text ?? "", asWard, MayAnswerAsWard(user)));
    }

    /// <summary>The refusal of an answer as the ward, naming who may give one (<see cref="WardAnswerRoles"/>).</summary>
    public const string NotWardStaffMessage =
        "Only staff who screen proposals, department staff, moderators and administrators may answer as the ward.";

    public async Task<CommandResult<Comment>> EditAsync(string roundId, string proposalId, ClaimsPrincipal user, string commentId, string? text) =>
        await RefuseAsync(roundId, proposalId, write: true) ?? await Thread(roundId, proposalId).EditAsync(user.ToActor().Sub, commentId, text ?? "");

    public async Task<CommandResult<Comment>> DeleteAsync(string roundId, string proposalId, ClaimsPrincipal user, string commentId) =>
        await RefuseAsync(roundId, proposalId, write: true) ?? await Thread(roundId, proposalId).DeleteAsync(user.ToActor().Sub, commentId);

    /// <summary>Reports are taken as long as the proposal is public, also after the round: a thread stays readable.</summary>
    public async Task<CommandResult<Comment>> ReportAsync(string roundId, string proposalId, ClaimsPrincipal user, string commentId, string? reason) =>
        await RefuseAsync(roundId, proposalId, write: false) ?? await Thread(roundId, proposalId).ReportAsync(user.ToActor(), commentId, reason ?? "");

    public async Task<CommandResult<Comment>> HideAsync(string roundId, string proposalId, ClaimsPrincipal moderator, string commentId, string? reason) =>
        await RefuseAsync(roundId, proposalId, write: false) ?? await Thread(roundId, proposalId).HideAsync(moderator.ToActor(), commentId, reason ?? "");

    public async Task<CommandResult<Comment>> RestoreAsync(string roundId, string proposalId, ClaimsPrincipal moderator, string commentId, string? reason) =>
        await RefuseAsync(roundId, proposalId, write: false) ?? await Thread(roundId, proposalId).RestoreAsync(moderator.ToActor(), commentId, reason ?? "");

    public Task<IReadOnlyList<ModerationItem>> QueueAsync() =>
        grains.GetGrain<ICommentModerationGrain>(ICommentModerationGrain.WardKey).ListAsync();

    /// <summary>The queue with each proposal's title and round's name in the reader's language (ids only where one is gone).</summary>
    public async Task<IReadOnlyList<ModerationRow>> QueueRowsAsync(bool english)
    {
        var items = await QueueAsync();
        var titles = new Dictionary<(string, string), string>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = new List<ModerationRow>(items.Count);
        foreach (var item in items)
        {
            if (!names.TryGetValue(item.RoundId, out var name))
            {
                var round = await rounds.GetAsync(item.RoundId);
                names[item.RoundId] = name = round is null ? item.RoundId
                    : english ? round.Definition.NameEn ?? round.Definition.Name : round.Definition.Name;
            }

            if (!titles.TryGetValue((item.RoundId, item.ProposalId), out var title))
            {
                var proposal = await proposals.GetAsync(item.RoundId, item.ProposalId);
                titles[(item.RoundId, item.ProposalId)] = title = proposal is null ? item.ProposalId
                    : english ? proposal.Content.TitleEn ?? proposal.Content.Title : proposal.Content.Title;
            }

            // The words as reported (kept with the report), and the present words when they differ.
            var thread = await Thread(item.RoundId, item.ProposalId).GetAsync();
            var current = thread.Comments.FirstOrDefault(c => c.Id == item.CommentId);
            var reportedText = await Thread(item.RoundId, item.ProposalId).ReportedTextAsync(item.CommentId) ?? current?.Text;
            var edited = current is { Status: CommentStatus.Visible } && reportedText is not null && current.Text != reportedText ? current.Text : null;
            rows.Add(new ModerationRow(item, title, name, reportedText, edited));
        }

        return rows;
    }

    /// <summary>For moderators only (the caller's policy): one comment with its text even when hidden, and its reports.</summary>
    public async Task<ModerationView?> ModerationAsync(string roundId, string proposalId, string commentId)
    {
        if (await proposals.GetAsync(roundId, proposalId) is not { IsPublic: true } proposal)
        {
            return null;
        }

        var thread = await Thread(roundId, proposalId).GetAsync();
        if (thread.Comments.FirstOrDefault(c => c.Id == commentId) is not { } comment)
        {
            return null;
        }

        return new ModerationView(roundId, proposalId, proposal.Content.Title, comment, thread.ParticipantOf(comment),
            await Thread(roundId, proposalId).ReportedTextAsync(commentId));
    }

    /// <summary>How the thread keeps a comment (also one the public no longer sees, e.g. deleted); null when there is none.</summary>
    public async Task<CommentStatus?> StoredStatusAsync(string roundId, string proposalId, string commentId)
    {
        var thread = await Thread(roundId, proposalId).GetAsync();
        return thread.Comments.FirstOrDefault(c => c.Id == commentId)?.Status;
    }

    private async Task<CommandResult<Comment>?> RefuseAsync(string roundId, string proposalId, bool write)
    {
        if (await proposals.GetAsync(roundId, proposalId) is not { IsPublic: true } proposal)
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.ProposalNotFound, "There is no such published proposal.");
        }

        if (write && ProposalTakesNoComments(proposal))
        {
            return CommandResult<Comment>.Refused(CommentErrorCodes.ProposalClosed,
                "This proposal was withdrawn or declined, so it takes no new comments; the comments on it stay readable.");
        }

        return write && !await IsOpenAsync(roundId)
            ? CommandResult<Comment>.Refused(CommentErrorCodes.Closed, "Comments are taken during the call for proposals, the screening and the vote; this round is past them.")
            : null;
    }

    private async Task<bool> IsOpenAsync(string roundId) =>
        await rounds.GetAsync(roundId) is { } round
        && await results.PublicPhaseAsync(round) is RoundPhase.CallForProposals or RoundPhase.Screening or RoundPhase.Voting;

    /// <summary>A withdrawn or declined proposal is no longer under discussion: its thread stays readable, and takes nothing new.</summary>
    private static bool ProposalTakesNoComments(ProposalView proposal) =>
        proposal.Status is ProposalStatus.Withdrawn or ProposalStatus.Declined;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
