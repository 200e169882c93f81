using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Proposals;

/// <summary>How the proposer relates to the ward (区内在住・在勤・在学, or an organisation based in it).</summary>
[GenerateSerializer, Alias("civic.proposer-relation")]
public enum ProposerRelation
{
    Lives = 0,
    Works = 1,
    Studies = 2,
    Organisation = 3,
}

[GenerateSerializer, Alias("civic.proposal-status")]
public enum ProposalStatus
{
    /// <summary>Saved, not submitted; seen by the proposer only.</summary>
    Draft = 0,
    /// <summary>Submitted, awaiting the intake check (stage 1); not public yet.</summary>
    Submitted = 1,
    /// <summary>Passed intake; at a later stage (<see cref="ProposalView.Stage"/>); public.</summary>
    InReview = 2,
    /// <summary>Returned to the proposer for changes; resubmitting puts it back at the same stage.</summary>
    Returned = 3,
    Declined = 4,
    /// <summary>Advanced from the last stage: chosen for the shortlist, awaiting its ballot number.</summary>
    Selected = 5,
    /// <summary>On the ballot with <see cref="ProposalView.BallotNumber"/>; frozen for the vote.</summary>
    Shortlisted = 6,
    Withdrawn = 7,
}

/// <summary>
/// What the proposer wrote. <see cref="TitleEn"/> and <see cref="SummaryEn"/> are optional English
/// versions; a shortlisted proposal's ballot entry is copied from this content, in both languages.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.proposal-content")]
public sealed record ProposalContent(
    [property: Id(0)] string Title,
    [property: Id(1)] string Summary,
    [property: Id(2)] string Problem,
    [property: Id(3)] string Solution,
    [property: Id(4)] string ExpectedEffect,
    [property: Id(5)] string Category,
    [property: Id(6)] ProposerRelation Relation,
    [property: Id(7)] string? OrganisationName,
    [property: Id(8)] string? TitleEn = null,
    [property: Id(9)] string? SummaryEn = null);

[GenerateSerializer, Alias("civic.proposal-event-kind")]
public enum ProposalEventKind
{
    Created = 0,
    Submitted = 1,
    Resubmitted = 2,
    Advanced = 3,
    Returned = 4,
    Declined = 5,
    Selected = 6,
    Shortlisted = 7,
    RemovedFromShortlist = 8,
    Withdrawn = 9,
}

/// <summary>One step of a proposal's history as its proposer sees it. Private notes never appear here.</summary>
[GenerateSerializer, Immutable, Alias("civic.proposal-event")]
public sealed record ProposalEvent(
    [property: Id(0)] int Seq,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] ProposalEventKind Kind,
    [property: Id(3)] int? Stage,
    [property: Id(4)] string? Message,
    [property: Id(5)] int? BallotNumber);

/// <summary>A proposal as stored, without anything private to staff (scores, notes).</summary>
[GenerateSerializer, Immutable, Alias("civic.proposal-view")]
public sealed record ProposalView(
    [property: Id(0)] string RoundId,
    [property: Id(1)] string ProposalId,
    [property: Id(2)] string AuthorSub,
    [property: Id(3)] string AuthorName,
    [property: Id(4)] ProposalContent Content,
    [property: Id(5)] ProposalStatus Status,
    [property: Id(6)] int Stage,
    [property: Id(7)] int? BallotNumber,
    [property: Id(8)] string? PublicReason,
    [property: Id(9)] DateTimeOffset? PublishedAt,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset UpdatedAt,
    [property: Id(12)] int Version,
    [property: Id(13)] IReadOnlyList<ProposalEvent> History,
    [property: Id(14)] ProposalIntake? Intake = null)
{
    /// <summary>Received on paper or by mail and entered by staff (受付: 紙), rather than written online by the proposer.</summary>
    public bool OnPaper => Intake is not null;

    /// <summary>Public once it has passed the intake check; drafts and proposals declined at intake never are.</summary>
    public bool IsPublic => PublishedAt is not null;

    /// <summary>What anyone may see: no proposer identity, no messages between staff and proposer, no withdrawal reason.</summary>
    public ProposalView ForPublic() => this with
    {
        AuthorSub = "",
        AuthorName = "",
        Intake = null,
        History = [.. History.Where(e => e.Kind is not (ProposalEventKind.Created or ProposalEventKind.Returned or ProposalEventKind.Resubmitted))
            .Select(e => e.Kind == ProposalEventKind.Declined ? e : e with { Message = null })],
    };
}

/// <summary>
/// How a proposal that arrived on paper or by mail was received: the named proposer and how to reach them (they have no
/// account, so no inbox), the day it arrived, and who entered it. Staff see it; the public never does.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.proposal-intake")]
public sealed record ProposalIntake(
    [property: Id(0)] string Channel,
    [property: Id(1)] string ProposerName,
    [property: Id(2)] string ProposerContact,
    [property: Id(3)] DateOnly ReceivedOn,
    [property: Id(4)] string EnteredBySub,
    [property: Id(5)] string EnteredByName,
    // No default value: JSON schema generation (the OpenAPI document) cannot write the default of a struct.
    [property: Id(6)] DateTimeOffset EnteredAt)
{
    public const string Paper = "paper";
    public const string Mail = "mail";
    public const int NameMax = 100;
    public const int ContactMax = 200;

    /// <summary>What the staff member typed, for comparing a retried entry with the stored one.</summary>
    public ProposalIntake AsTyped() => this with { EnteredBySub = "", EnteredByName = "", EnteredAt = default };
}

/// <summary>One screener's scores for a proposal at a scored stage (criterion id → 1..5).</summary>
[GenerateSerializer, Immutable, Alias("civic.score-sheet")]
public sealed record ScoreSheet(
    [property: Id(0)] int Stage,
    [property: Id(1)] string ScreenerSub,
    [property: Id(2)] string ScreenerName,
    [property: Id(3)] IReadOnlyDictionary<string, int> Scores,
    [property: Id(4)] decimal Weighted,
    [property: Id(5)] DateTimeOffset At);

/// <summary>A staff note: private, never shown to the public or the proposer.</summary>
[GenerateSerializer, Immutable, Alias("civic.review-note")]
public sealed record ReviewNote(
    [property: Id(0)] string NoteId,
    [property: Id(1)] int Stage,
    [property: Id(2)] string AuthorSub,
    [property: Id(3)] string AuthorName,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string Text);

[GenerateSerializer, Alias("civic.decision-kind")]
public enum DecisionKind
{
    Advance = 0,
    Return = 1,
    Decline = 2,
}

[GenerateSerializer, Immutable, Alias("civic.stage-decision")]
public sealed record StageDecision(
    [property: Id(0)] string DecisionId,
    [property: Id(1)] int Stage,
    [property: Id(2)] DecisionKind Kind,
    [property: Id(3)] string? Message,
    [property: Id(4)] string ActorSub,
    [property: Id(5)] string ActorName,
    [property: Id(6)] DateTimeOffset At);

/// <summary>What staff see of a proposal: the proposal, its scores, notes, decisions and assignees.</summary>
[GenerateSerializer, Immutable, Alias("civic.proposal-review")]
public sealed record ProposalReview(
    [property: Id(0)] ProposalView Proposal,
    [property: Id(1)] IReadOnlyList<ScoreSheet> Scores,
    [property: Id(2)] IReadOnlyList<ReviewNote> Notes,
    [property: Id(3)] IReadOnlyList<StageDecision> Decisions,
    [property: Id(4)] IReadOnlyList<string> Assignees,
    [property: Id(5)] decimal? WeightedScore);

/// <summary>One proposal of a round (key <c>{roundId}:{proposalId}</c>): content, author, status, review and history.</summary>
[Alias("civic.IProposalGrain")]
public interface IProposalGrain : IGrainWithStringKey
{
    /// <summary>Saves a new draft. The same creation repeated by its author returns the stored draft.</summary>
    [Alias("create")]
    Task<CommandResult<ProposalView>> CreateAsync(Actor author, ProposalContent content);

    [Alias("update")]
    Task<CommandResult<ProposalView>> UpdateAsync(Actor author, ProposalContent content);

    /// <summary>Submits a draft, or resubmits a returned proposal. Already submitted: nothing happens.</summary>
    [Alias("submit")]
    Task<CommandResult<ProposalView>> SubmitAsync(Actor author);

    /// <summary>
    /// Staff (screeners, administrators) enter a proposal received on paper or by mail for its named proposer: created
    /// and submitted at once (stage 1, intake), then screened like any other. Allowed from the call's opening until
    /// voting opens, for proposals received while the call was open. The same entry again answers the same.
    /// </summary>
    [Alias("enter-from-paper")]
    Task<CommandResult<ProposalView>> EnterFromPaperAsync(Actor staff, ProposalIntake intake, ProposalContent content);

    [Alias("withdraw")]
    Task<CommandResult<ProposalView>> WithdrawAsync(Actor author, string reason);

    [Alias("get"), ReadOnly]
    Task<ProposalView?> GetAsync();

    /// <summary>Staff only: includes scores and private notes.</summary>
    [Alias("get-review"), ReadOnly]
    Task<ProposalReview?> GetReviewAsync();

    /// <summary>Sets the screener's scores at a scored stage (replacing the screener's earlier scores there).</summary>
    [Alias("score")]
    Task<CommandResult<ProposalView>> ScoreAsync(Actor screener, int stage, IReadOnlyDictionary<string, int> scores);

    /// <summary>Adds a private note; a note id already stored is not added twice.</summary>
    [Alias("add-note")]
    Task<CommandResult<ProposalView>> AddNoteAsync(Actor screener, int stage, string noteId, string text);

    /// <summary>Decides at the proposal's current stage; the decision id makes a retry harmless.</summary>
    [Alias("decide")]
    Task<CommandResult<ProposalView>> DecideAsync(Actor screener, int stage, string decisionId, DecisionKind decision, string? message);

    /// <summary>Administrators: the screeners assigned to this proposal (besides those assigned to its stage).</summary>
    [Alias("assign")]
    Task<CommandResult<ProposalView>> AssignAsync(Actor admin, IReadOnlyList<string> screenerSubs);

    /// <summary>Called by the shortlist step only: a ballot number for a selected proposal, or null to take it off the ballot.</summary>
    [Alias("set-ballot-number")]
    Task<CommandResult<ProposalView>> SetBallotNumberAsync(Actor admin, int? ballotNumber);
}

/// <summary>What the proposal index keeps of each proposal: enough to list, filter, sort and count.</summary>
[GenerateSerializer, Immutable, Alias("civic.proposal-summary")]
public sealed record ProposalSummary(
    [property: Id(0)] string ProposalId,
    [property: Id(1)] string AuthorSub,
    [property: Id(2)] string Title,
    [property: Id(3)] string Category,
    [property: Id(4)] ProposalStatus Status,
    [property: Id(5)] int Stage,
    [property: Id(6)] bool IsPublic,
    [property: Id(7)] decimal? WeightedScore,
    [property: Id(8)] int? BallotNumber,
    [property: Id(9)] IReadOnlyList<string> Assignees,
    [property: Id(10)] DateTimeOffset UpdatedAt,
    [property: Id(11)] int Version,
    [property: Id(12)] string? TitleEn = null);

[GenerateSerializer, Alias("civic.proposal-sort")]
public enum ProposalSort
{
    Updated = 0,
    Score = 1,
    Title = 2,
    BallotNumber = 3,
}

[GenerateSerializer, Immutable, Alias("civic.proposal-query")]
public sealed record ProposalQuery(
    [property: Id(0)] bool PublicOnly,
    [property: Id(1)] string? AuthorSub = null,
    [property: Id(2)] string? Search = null,
    [property: Id(3)] string? Category = null,
    [property: Id(4)] ProposalStatus? Status = null,
    [property: Id(5)] int? Stage = null,
    [property: Id(6)] string? Assignee = null,
    [property: Id(7)] ProposalSort Sort = ProposalSort.Updated,
    [property: Id(8)] bool Descending = true,
    [property: Id(9)] int Skip = 0,
    [property: Id(10)] int Take = 20,
    [property: Id(11)] bool SubmittedOnly = false);

[GenerateSerializer, Immutable, Alias("civic.proposal-page")]
public sealed record ProposalPage(
    [property: Id(0)] IReadOnlyList<ProposalSummary> Items,
    [property: Id(1)] int Total);

/// <summary>
/// A round's list of proposals (key: round id): one summary per proposal, the per-proposer limit,
/// and the queries behind every list. Summaries are pushed by the proposal grains after each change.
/// </summary>
[Alias("civic.IProposalIndexGrain")]
public interface IProposalIndexGrain : IGrainWithStringKey
{
    /// <summary>Records a new proposal id for its author, refusing with the code when the author is at the limit or the round is full; null when accepted (or already there).</summary>
    [Alias("reserve")]
    Task<string?> ReserveAsync(string proposalId, string authorSub, int maxPerProposer, DateTimeOffset at);

    /// <summary>Stores the summary unless a newer version is already stored.</summary>
    [Alias("upsert")]
    Task UpsertAsync(ProposalSummary summary);

    [Alias("query"), ReadOnly]
    Task<ProposalPage> QueryAsync(ProposalQuery query);

    /// <summary>Whether the round has a proposal of this id (a draft included): asked before the proposal's own grain is touched.</summary>
    [Alias("contains"), ReadOnly]
    Task<bool> ContainsAsync(string proposalId);
}

public static class ProposalErrorCodes
{
    public const string InvalidProposalId = "invalid-proposal-id";
    public const string InvalidProposal = "invalid-proposal";
    public const string InvalidIntake = "invalid-intake";
    public const string ProposalNotFound = "proposal-not-found";
    public const string ProposalExists = "proposal-exists";
    public const string RoundNotFound = "round-not-found";
    public const string CallClosed = "call-closed";
    public const string ProposalLimit = "proposal-limit";
    public const string RoundFull = "round-full";
    public const string NotAuthor = "not-your-proposal";
    public const string NotEditable = "not-editable";
    public const string ProposalWithdrawn = "proposal-withdrawn";
    public const string ProposalFrozen = "proposal-frozen";
    public const string NotUnderReview = "not-under-review";
    public const string StageMismatch = "stage-mismatch";
    public const string NotAssigned = "not-assigned";
    public const string NotStaff = "not-staff";
    public const string InvalidScores = "invalid-scores";
    public const string ScoresRequired = "scores-required";
    public const string MessageRequired = "message-required";
    public const string InvalidNote = "invalid-note";
    public const string InvalidReason = "invalid-reason";
    public const string NotSelected = "not-selected";

    // Field-level codes.
    public const string Required = "required";
    public const string TooLong = "too-long";
    public const string UnknownCategory = "unknown-category";
}
