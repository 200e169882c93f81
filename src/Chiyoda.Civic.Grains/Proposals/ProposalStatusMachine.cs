using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Proposals;

/// <summary>Why a proposal command is refused: a stable code (the API's error code) and a message for people.</summary>
public sealed record ProposalRefusal(string Code, string Message);

/// <summary>A move of the status machine: the status and stage it lands on and the history event it records.</summary>
public sealed record ProposalTransition(ProposalStatus Status, int Stage, ProposalEventKind Event);

/// <summary>
/// The proposal status machine, apart from the grain that stores proposals: draft → submitted (stage 1) → in review at
/// stage N → selected → shortlisted, with returned / declined / withdrawn on the way; which move is allowed from which
/// status and round phase, and by whom (the proposer, screeners and administrators, administrators alone). Plain rules
/// without storage or Orleans: the grain asks, unit tests reach every case directly.
/// </summary>
public static class ProposalStatusMachine
{
    /// <summary>Every move a command can make, from → to. Anything not listed here never happens.</summary>
    public static IReadOnlyDictionary<ProposalStatus, IReadOnlySet<ProposalStatus>> Moves { get; } = new Dictionary<ProposalStatus, IReadOnlySet<ProposalStatus>>
    {
        [ProposalStatus.Draft] = new HashSet<ProposalStatus> { ProposalStatus.Submitted, ProposalStatus.Withdrawn },
        [ProposalStatus.Submitted] = new HashSet<ProposalStatus> { ProposalStatus.InReview, ProposalStatus.Selected, ProposalStatus.Returned, ProposalStatus.Declined, ProposalStatus.Withdrawn },
        [ProposalStatus.InReview] = new HashSet<ProposalStatus> { ProposalStatus.InReview, ProposalStatus.Selected, ProposalStatus.Returned, ProposalStatus.Declined, ProposalStatus.Withdrawn },
        [ProposalStatus.Returned] = new HashSet<ProposalStatus> { ProposalStatus.Submitted, ProposalStatus.InReview, ProposalStatus.Withdrawn },
        [ProposalStatus.Selected] = new HashSet<ProposalStatus> { ProposalStatus.Shortlisted, ProposalStatus.Withdrawn },
        [ProposalStatus.Shortlisted] = new HashSet<ProposalStatus> { ProposalStatus.Selected, ProposalStatus.Shortlisted },
        [ProposalStatus.Declined] = new HashSet<ProposalStatus>(),
        [ProposalStatus.Withdrawn] = new HashSet<ProposalStatus>(),
    };

    // ---- by whom ----

    /// <summary>Proposals received on paper or by mail are entered by screeners and administrators.</summary>
    public static ProposalRefusal? PaperEntryRefusal(Actor staff) => staff.IsAdministrator || staff.IsScreener
        ? null
        : new(ProposalErrorCodes.NotStaff, "Only screeners and administrators enter proposals received on paper.");

    /// <summary>Scores, notes and decisions: screeners and administrators (whether a screener is assigned is the round's to say).</summary>
    public static ProposalRefusal? ReviewerRefusal(Actor actor) => actor.IsAdministrator || actor.IsScreener
        ? null
        : new(ProposalErrorCodes.NotStaff, "Only screeners and administrators review proposals.");

    public static ProposalRefusal? AssignRefusal(Actor actor) => actor.IsAdministrator
        ? null
        : new(ProposalErrorCodes.NotStaff, "Only administrators assign screeners.");

    public static ProposalRefusal? ShortlistRefusal(Actor actor) => actor.IsAdministrator
        ? null
        : new(ProposalErrorCodes.NotStaff, "Only administrators set the shortlist.");

    // ---- the proposer ----

    /// <summary>Drafts and submissions awaiting intake change while the call is open; returned proposals until voting opens.</summary>
    public static ProposalRefusal? EditRefusal(ProposalStatus status, RoundPhase phase) => status switch
    {
        ProposalStatus.Withdrawn => new(ProposalErrorCodes.ProposalWithdrawn, "This proposal was withdrawn."),
        ProposalStatus.Shortlisted or ProposalStatus.Selected => new(ProposalErrorCodes.ProposalFrozen, "This proposal is frozen for the vote."),
        ProposalStatus.Draft or ProposalStatus.Submitted when phase != RoundPhase.CallForProposals =>
            new(ProposalErrorCodes.CallClosed, "The call for proposals has closed."),
        ProposalStatus.Returned when phase >= RoundPhase.Voting => new(ProposalErrorCodes.CallClosed, "Screening has ended."),
        ProposalStatus.Draft or ProposalStatus.Submitted or ProposalStatus.Returned => null,
        _ => new(ProposalErrorCodes.NotEditable, "This proposal is being screened and cannot be changed now."),
    };

    /// <summary>Whether submitting moves anything: only a draft or a returned proposal is submitted (anything else is a retry, or withdrawn).</summary>
    public static bool Submits(ProposalStatus status) => status is ProposalStatus.Draft or ProposalStatus.Returned;

    /// <summary>A draft goes to the intake check (stage 1); a returned proposal goes back to the stage that returned it.</summary>
    public static ProposalTransition Submit(ProposalStatus status, int stage) => status == ProposalStatus.Draft
        ? new(ProposalStatus.Submitted, 1, ProposalEventKind.Submitted)
        : new(stage <= 1 ? ProposalStatus.Submitted : ProposalStatus.InReview, stage, ProposalEventKind.Resubmitted);

    /// <summary>The proposer withdraws at any time except once shortlisted (frozen for the vote) or declined; a repeat is answered as done.</summary>
    public static ProposalRefusal? WithdrawRefusal(ProposalStatus status) => status switch
    {
        ProposalStatus.Shortlisted => new(ProposalErrorCodes.ProposalFrozen, "A shortlisted proposal is frozen for the vote."),
        ProposalStatus.Declined => new(ProposalErrorCodes.NotEditable, "A declined proposal cannot be withdrawn."),
        _ => null,
    };

    // ---- screening ----

    /// <summary>Only a proposal awaiting a decision (submitted, or in review) takes scores, notes and decisions.</summary>
    public static ProposalRefusal? ReviewRefusal(ProposalStatus status) => status switch
    {
        ProposalStatus.Withdrawn => new(ProposalErrorCodes.ProposalWithdrawn, "This proposal was withdrawn."),
        ProposalStatus.Selected or ProposalStatus.Shortlisted => new(ProposalErrorCodes.ProposalFrozen, "Screening of this proposal has ended."),
        ProposalStatus.Submitted or ProposalStatus.InReview => null,
        _ => new(ProposalErrorCodes.NotUnderReview, "This proposal is not awaiting a decision."),
    };

    /// <summary>A decision at <paramref name="stage"/> of <paramref name="stages"/>: advancing from the last stage selects the proposal.</summary>
    public static ProposalTransition Decide(DecisionKind decision, int stage, int stages) => decision switch
    {
        DecisionKind.Advance when stage >= stages => new(ProposalStatus.Selected, stage, ProposalEventKind.Selected),
        DecisionKind.Advance => new(ProposalStatus.InReview, stage + 1, ProposalEventKind.Advanced),
        DecisionKind.Return => new(ProposalStatus.Returned, stage, ProposalEventKind.Returned),
        _ => new(ProposalStatus.Declined, stage, ProposalEventKind.Declined),
    };

    // ---- the shortlist ----

    /// <summary>Only proposals the committee selected take a ballot number (removing one is always allowed before the vote).</summary>
    public static ProposalRefusal? BallotNumberRefusal(ProposalStatus status, int? ballotNumber) =>
        ballotNumber is not null && status is not (ProposalStatus.Selected or ProposalStatus.Shortlisted)
            ? new(ProposalErrorCodes.NotSelected, "Only proposals selected by the committee can go on the ballot.")
            : null;

    /// <summary>The ballot is frozen once voting has opened.</summary>
    public static ProposalRefusal? BallotFrozenRefusal(RoundPhase phase) => phase >= RoundPhase.Voting
        ? new(ProposalErrorCodes.ProposalFrozen, "The ballot is frozen once voting has opened.")
        : null;
}
