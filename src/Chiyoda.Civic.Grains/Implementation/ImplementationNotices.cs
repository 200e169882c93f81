using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Grains.Notifications;

namespace Chiyoda.Civic.Grains.Implementation;

/// <summary>The notice the proposer and followers get when an adopted proposal reaches a new status, in both languages.</summary>
public static class ImplementationNotices
{
    public const string Kind = "implementation-status";

    /// <summary>Fixed by the record and the step, so a redelivery is ignored by the inbox.</summary>
    public static string NoticeId(string roundId, string proposalId, int seq) => $"implementation:{roundId}:{proposalId}:{seq}";

    /// <summary>The kind of the correction sent when a step whose email had gone out is withdrawn.</summary>
    public const string CorrectionKind = "implementation-correction";

    /// <summary>The correction of a withdrawn step's notice: fixed by that notice, so it is told once.</summary>
    public static string CorrectionId(string stepNoticeId) => $"{stepNoticeId}:withdrawn";

    public static string Link(string roundId, string proposalId) => $"/rounds/{roundId}/proposals/{proposalId}#after";

    /// <summary>The stop link in a follower's emails: stops following this proposal, no sign-in (the token is the authority).</summary>
    public static string UnfollowPath(string roundId, string proposalId, string token) =>
        $"/following/unsubscribe?round={Uri.EscapeDataString(roundId)}&proposal={Uri.EscapeDataString(proposalId)}&token={Uri.EscapeDataString(token)}";

    /// <summary>Below the proposer's emails: they are told as the proposer (whether or not they also follow), with no stop link.</summary>
    public static NoticeMailFooter ProposerFooter { get; } = new(
        "あなたがこの提案の提案者のため、お送りしています。",
        "You receive this because you made this proposal.");

    /// <summary>Below a follower's emails: why, and the link that stops following this proposal without signing in.</summary>
    public static NoticeMailFooter FollowerFooter(string roundId, string proposalId, string token) => new(
        "あなたがこの提案をフォローしているため、お送りしています。下のリンクでフォローをやめると、この提案のお知らせは届かなくなります。",
        "You receive this because you follow this proposal. The link below stops following it, and these notices with it.",
        UnfollowPath(roundId, proposalId, token));

    /// <summary>
    /// The notice of a step; null for 採用 after the first step: the adoption notice goes out once per proposal, ever (the path only
    /// moves forward, so this is a second guard). The English half names the proposal by its English title, or says it has none.
    /// </summary>
    public static Notice? For(string roundId, string proposalId, string title, string? titleEn, ImplementationStep step, ImplementationStatus status, DateTimeOffset at)
    {
        if (status.Id == ImplementationPath.Adopted && step.Seq != 0)
        {
            return null;
        }

        Bilingual body = status.Id == ImplementationPath.Adopted
            ? new("区民投票の結果、提案が採用されました。ご提案と投票へのご参加、ありがとうございました。これからの進み具合は「提案のその後」でお知らせします。",
                "The resident vote adopted this proposal. Thank you for proposing and taking part. We will tell you here how it goes from now on.")
            : new($"提案のその後: 「{status.Name}」になりました（{WardDateText.Day(step.Date, english: false)}）。{step.Note}",
                $"What happened next: now \"{status.NameEn}\" ({WardDateText.Day(step.Date, english: true)}). {step.NoteEn ?? step.Note}");
        var subjectEn = string.IsNullOrWhiteSpace(titleEn)
            ? $"What happened to the proposal (it has no English title; in Japanese: \"{title}\")"
            : $"What happened to \"{titleEn.Trim()}\"";
        return NoticeText.Compose(NoticeId(roundId, proposalId, step.Seq), at, Kind, roundId,
            new($"「{title}」のその後", subjectEn), body, Link(roundId, proposalId));
    }

    /// <summary>
    /// The short correction a person gets when a step whose email reached them is withdrawn: which step (status and date)
    /// and the administrator's reason. Only those emailed the step get it (the inbox decides, <c>WithdrawWithCorrectionAsync</c>).
    /// </summary>
    public static Notice Correction(string roundId, string proposalId, string title, string? titleEn, ImplementationStep step, ImplementationStatus? status,
        string reason, DateTimeOffset at)
    {
        var name = status?.Name ?? step.StatusId;
        var nameEn = status?.NameEn ?? step.StatusId;
        var subjectEn = string.IsNullOrWhiteSpace(titleEn)
            ? $"Correction: what happened to the proposal (it has no English title; in Japanese: \"{title}\")"
            : $"Correction: what happened to \"{titleEn.Trim()}\"";
        return new Notice(CorrectionId(NoticeId(roundId, proposalId, step.Seq)), at, CorrectionKind, roundId,
            $"「{title}」のその後（訂正）", subjectEn,
            $"訂正: {WardDateText.Day(step.Date, english: false)}の段階「{name}」は取り消されました。理由: {reason.Trim()}",
            $"Correction: the status step \"{nameEn}\" of {WardDateText.Day(step.Date, english: true)} was withdrawn: {reason.Trim()}",
            Link(roundId, proposalId));
    }
}
