using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Grains.Notifications;

namespace Chiyoda.Civic.Grains.Comments;

/// <summary>
/// What a comment's author is told when a moderator hides it or shows it again: which comment (the proposal and the time it
/// was posted), and the moderator's public reason. Never who reported it, nor the reporters' reasons, nor the hidden words.
/// </summary>
public static class CommentNotices
{
    public const string Kind = "comment-moderation";

    /// <summary>Fixed by the comment and the moderator's step, so a redelivery is ignored by the inbox.</summary>
    public static string NoticeId(string roundId, string proposalId, string commentId, string step, DateTimeOffset at) =>
        $"comment:{roundId}:{proposalId}:{commentId}:{step}:{at.ToUnixTimeMilliseconds()}";

    public static string Link(string roundId, string proposalId, string commentId) => $"/rounds/{roundId}/proposals/{proposalId}#{commentId}";

    public static Notice Hidden(string roundId, string proposalId, (string Ja, string En) title, Comment comment, string reason, DateTimeOffset at) =>
        NoticeText.Compose(NoticeId(roundId, proposalId, comment.Id, "hidden", at), at, Kind, roundId,
            new("あなたの意見を非表示にしました", "Your comment was hidden"),
            new($"提案「{title.Ja}」へのあなたの意見（{WardDateText.Instant(comment.PostedAt, english: false)}の投稿）を、担当職員が確認のうえ非表示にしました。" +
                $"意見の場所には次の理由が表示されます：{reason}",
                $"Staff reviewed your comment on the proposal \"{title.En}\" (posted {WardDateText.Instant(comment.PostedAt, english: true)}) and hid it. " +
                $"This reason is shown in its place: \"{reason}\""),
            Link(roundId, proposalId, comment.Id));

    public static Notice Restored(string roundId, string proposalId, (string Ja, string En) title, Comment comment, string reason, DateTimeOffset at) =>
        NoticeText.Compose(NoticeId(roundId, proposalId, comment.Id, "restored", at), at, Kind, roundId,
            new("あなたの意見を再び表示しました", "Your comment is shown again"),
            new($"提案「{title.Ja}」へのあなたの意見（{WardDateText.Instant(comment.PostedAt, english: false)}の投稿）を、担当職員が確認のうえ再び表示しました。理由：{reason}",
                $"Staff reviewed your comment on the proposal \"{title.En}\" (posted {WardDateText.Instant(comment.PostedAt, english: true)}) and show it again. Reason: \"{reason}\""),
            Link(roundId, proposalId, comment.Id));
}
