using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Grains.Notifications;

namespace Chiyoda.Civic.Grains.Proposals;

/// <summary>The notice a proposer gets when their proposal changes status, in both languages.</summary>
public static class ProposalNotices
{
    public const string Kind = "proposal-status";

    /// <summary>Notice ids are fixed by the proposal and the history step, so a redelivery is ignored by the inbox.</summary>
    public static string NoticeId(string roundId, string proposalId, int seq) => $"proposal:{roundId}:{proposalId}:{seq}";

    public static string Link(string roundId, string proposalId) => $"/my-proposals/{roundId}/{proposalId}";

    public static Notice For(string roundId, string proposalId, string title, int seq, DateTimeOffset at, ProposalEventKind kind,
        ReviewStage? stage, string? message, int? ballotNumber)
    {
        var (ja, en) = kind switch
        {
            ProposalEventKind.Submitted => ("提案を受け付けました。受付確認をお待ちください。", "We received your proposal. It now awaits the intake check."),
            ProposalEventKind.Resubmitted => ("修正した提案を受け付けました。審査を再開します。", "We received your revised proposal; screening resumes."),
            ProposalEventKind.Advanced => ($"提案が次の審査段階「{stage?.Name}」に進みました。", $"Your proposal moved to the next stage: {stage?.NameEn}."),
            ProposalEventKind.Returned => ($"提案が修正のため返却されました。審査担当より: {message}", $"Your proposal was returned for changes. From the screeners: \"{message}\""),
            ProposalEventKind.Declined => ($"審査の結果、提案は区民投票の候補になりませんでした。理由: {message}", $"After screening, your proposal was not put to the resident vote. Reason: \"{message}\""),
            ProposalEventKind.Selected => ("提案が審査会で選ばれました。投票番号は候補の公表時にお知らせします。", "The screening committee selected your proposal. Its ballot number follows when the shortlist is published."),
            ProposalEventKind.Shortlisted => ($"提案が区民投票の候補になりました（投票番号 {ballotNumber}）。", $"Your proposal is on the resident vote ballot as number {ballotNumber}."),
            ProposalEventKind.RemovedFromShortlist => ("提案の投票番号が取り消されました。", "Your proposal's ballot number was withdrawn."),
            ProposalEventKind.Withdrawn => ("提案を取り下げました。", "You withdrew your proposal."),
            _ => ("提案の状況が変わりました。", "Your proposal's status changed."),
        };
        return NoticeText.Compose(NoticeId(roundId, proposalId, seq), at, Kind, roundId,
            new($"「{title}」の状況", $"Your proposal \"{title}\""), new(ja, en), Link(roundId, proposalId));
    }
}
