using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Proposals;
using Chiyoda.Civic.Web.RoundResults;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Comments;

/// <summary>A comment thread as one reader sees it: whether it takes comments now, and the comments.</summary>
public sealed record CommentsView(bool Open, IReadOnlyList<PublicComment> Comments, TimeSpan EditWindow);

/// <summary>A moderator's view of one comment: everything the thread keeps, hidden text and reports included.</summary>
public sealed record ModerationView(string RoundId, string ProposalId, string ProposalTitle, Comment Comment, int Participant);

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

    /// <summary>Staff may answer as the ward (「区からの回答」).</summary>
    public static bool MayAnswerAsWard(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Screener) || user.IsInRole(Roles.Department) || user.IsInRole(Roles.Moderator);

    /// <summary>Residents and participants (living, working or studying in the ward) write; so do staff, who may answer as the ward.</summary>
    public static bool MayWrite(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Resident) || user.IsInRole(Roles.Participant) || MayAnswerAsWard(user);

    /// <summary>Null when the proposal is not public (or does not exist).</summary>
    public async Task<CommentsView?> GetAsync(string roundId, string proposalId, string? readerSub)
    {
        if (await proposals.GetAsync(roundId, proposalId) is not { IsPublic: true })
        {
            return null;
        }

        var open = await IsOpenAsync(roundId);
        var thread = await Thread(roundId, proposalId).GetAsync();
        return new CommentsView(open, thread.ForPublic(readerSub, time.GetUtcNow(), EditWindow), EditWindow);
    }

    public async Task<CommentResult> PostAsync(string roundId, string proposalId, ClaimsPrincipal user, string requestId, string? parentId, string? text, bool asWard)
    {
        if (await RefuseAsync(roundId, proposalId, write: true) is { } refused)
        {
            return refused;
        }

        if (!MayWrite(user))
        {
            return CommentResult.Refused(CommentErrorCodes.NotAllowed,
                "Comments are written by people who live, work or study in the ward, and by ward staff.");
        }

        var actor = user.ToActor();
        return await Thread(roundId, proposalId).PostAsync(new CommentDraft(requestId, actor.Sub, actor.Name, NullIfEmpty(parentId), text ?? "", asWard, MayAnswerAsWard(user)));
    }

    public async Task<CommentResult> EditAsync(string roundId, string proposalId, ClaimsPrincipal user, string commentId, string? text) =>
        await RefuseAsync(roundId, proposalId, write: true) ?? await Thread(roundId, proposalId).EditAsync(user.ToActor().Sub, commentId, text ?? "");

    public async Task<CommentResult> DeleteAsync(string roundId, string proposalId, ClaimsPrincipal user, string commentId) =>
        await RefuseAsync(roundId, proposalId, write: true) ?? await Thread(roundId, proposalId).DeleteAsync(user.ToActor().Sub, commentId);

    /// <summary>Reports are taken as long as the proposal is public, also after the round: a thread stays readable.</summary>
    public async Task<CommentResult> ReportAsync(string roundId, string proposalId, ClaimsPrincipal user, string commentId, string? reason) =>
        await RefuseAsync(roundId, proposalId, write: false) ?? await Thread(roundId, proposalId).ReportAsync(user.ToActor(), commentId, reason ?? "");

    public async Task<CommentResult> HideAsync(string roundId, string proposalId, ClaimsPrincipal moderator, string commentId, string? reason) =>
        await RefuseAsync(roundId, proposalId, write: false) ?? await Thread(roundId, proposalId).HideAsync(moderator.ToActor(), commentId, reason ?? "");

    public async Task<CommentResult> RestoreAsync(string roundId, string proposalId, ClaimsPrincipal moderator, string commentId, string? reason) =>
        await RefuseAsync(roundId, proposalId, write: false) ?? await Thread(roundId, proposalId).RestoreAsync(moderator.ToActor(), commentId, reason ?? "");

    public Task<IReadOnlyList<ModerationItem>> QueueAsync() =>
        grains.GetGrain<ICommentModerationGrain>(ICommentModerationGrain.WardKey).ListAsync();

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

        var participant = thread.ForPublic(null, time.GetUtcNow(), EditWindow).SelectMany(c => c.Replies.Prepend(c)).First(c => c.Id == commentId).Participant;
        return new ModerationView(roundId, proposalId, proposal.Content.Title, comment, participant);
    }

    private async Task<CommentResult?> RefuseAsync(string roundId, string proposalId, bool write)
    {
        if (await proposals.GetAsync(roundId, proposalId) is not { IsPublic: true })
        {
            return CommentResult.Refused(CommentErrorCodes.ProposalNotFound, "There is no such published proposal.");
        }

        return write && !await IsOpenAsync(roundId)
            ? CommentResult.Refused(CommentErrorCodes.Closed, "Comments are taken during the call for proposals, the screening and the vote; this round is past them.")
            : null;
    }

    private async Task<bool> IsOpenAsync(string roundId) =>
        await rounds.GetAsync(roundId) is { } round
        && await results.PublicPhaseAsync(round) is RoundPhase.CallForProposals or RoundPhase.Screening or RoundPhase.Voting;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
