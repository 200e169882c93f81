using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Notifications;

namespace Chiyoda.Civic.Grains.Implementation;

/// <summary>The notice the proposer and followers get when an adopted proposal reaches a new status, in both languages.</summary>
public static class ImplementationNotices
{
    public const string Kind = "implementation-status";

    /// <summary>Fixed by the record and the step, so a redelivery is ignored by the inbox.</summary>
    public static string NoticeId(string roundId, string proposalId, int seq) => $"implementation:{roundId}:{proposalId}:{seq}";

    public static string Link(string roundId, string proposalId) => $"/rounds/{roundId}/proposals/{proposalId}#after";

    public static Notice For(string roundId, string proposalId, string title, ImplementationStep step, ImplementationStatus status, DateTimeOffset at)
    {
        var (ja, en) = status.Id == ImplementationPath.Adopted
            ? ("区民投票の結果、提案が採用されました。ご提案と投票へのご参加、ありがとうございました。これからの進み具合は「提案のその後」でお知らせします。",
               "The resident vote adopted this proposal. Thank you for proposing and taking part. We will tell you here how it goes from now on.")
            : ($"提案のその後: 「{status.Name}」になりました（{step.Date:yyyy年M月d日}）。{step.Note}",
               $"What happened next: now \"{status.NameEn}\" ({step.Date:yyyy-MM-dd}). {step.NoteEn ?? step.Note}");
        return new Notice(NoticeId(roundId, proposalId, step.Seq), at, Kind, roundId,
            $"「{title}」のその後", $"What happened to \"{title}\"", ja.Trim(), en.Trim(), Link(roundId, proposalId));
    }
}
