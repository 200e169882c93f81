using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;

namespace Chiyoda.Civic.Grains.Proposals;

[GenerateSerializer, Alias("civic.proposal-state")]
public sealed class ProposalState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public ProposalContent? Content { get; set; }
    [Id(2)] public string AuthorSub { get; set; } = "";
    [Id(3)] public string AuthorName { get; set; } = "";
    [Id(4)] public ProposalStatus Status { get; set; }
    [Id(5)] public int Stage { get; set; }
    [Id(6)] public int? BallotNumber { get; set; }
    [Id(7)] public string? PublicReason { get; set; }
    [Id(8)] public string? WithdrawReason { get; set; }
    [Id(9)] public DateTimeOffset? PublishedAt { get; set; }
    [Id(10)] public DateTimeOffset CreatedAt { get; set; }
    [Id(11)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(12)] public int Version { get; set; }
    [Id(13)] public List<ProposalEvent> History { get; set; } = [];
    [Id(14)] public List<ScoreSheet> Scores { get; set; } = [];
    [Id(15)] public List<ReviewNote> Notes { get; set; } = [];
    [Id(16)] public List<StageDecision> Decisions { get; set; } = [];
    [Id(17)] public List<string> Assignees { get; set; } = [];

    /// <summary>Numbers this proposal's audit entries, so their ids are deterministic.</summary>
    [Id(18)] public int AuditSeq { get; set; }

    /// <summary>
    /// Effects of the last command, stored with the state in the same write and delivered after it
    /// (again on the next command or activation if delivery failed): an outbox. Their ids are fixed,
    /// so delivering twice has no second effect.
    /// </summary>
    [Id(19)] public List<AuditEntry> PendingAudit { get; set; } = [];
    [Id(20)] public List<Notice> PendingNotices { get; set; } = [];
    [Id(21)] public bool IndexPending { get; set; }

    /// <summary>Set when staff entered the proposal from paper or mail (no proposer account: no notices).</summary>
    [Id(22)] public ProposalIntake? Intake { get; set; }
}
