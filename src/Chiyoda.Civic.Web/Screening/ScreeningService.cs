using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Proposals;

namespace Chiyoda.Civic.Web.Screening;

/// <summary>
/// The one way the screening pages and the API reach screening: the round's setup, stage assignments and shortlist (the
/// screening grain), and the review of single proposals (scores, private notes, decisions, assignees: the proposal grain).
/// The resident's side of a proposal (submit, edit, withdraw, the public list) stays in <see cref="ProposalService"/>, which
/// this asks whether a proposal exists before its grain is touched (so unknown ids activate and store nothing).
/// </summary>
public sealed class ScreeningService(IGrainFactory grains, ProposalService proposals)
{
    private static readonly CommandResult<ProposalView> NoSuchProposal =
        CommandResult<ProposalView>.Refused(ProposalErrorCodes.ProposalNotFound, "There is no such proposal.", "proposal");

    private IProposalGrain Proposal(string roundId, string proposalId) => grains.GetGrain<IProposalGrain>($"{roundId}:{proposalId}");

    private IScreeningGrain Round(string roundId) => grains.GetGrain<IScreeningGrain>(roundId);

    /// <summary>Only submitted proposals are screened: a draft is its proposer's alone, so to staff it does not exist.</summary>
    private async Task<CommandResult<ProposalView>> IfExistsAsync(string roundId, string proposalId, Func<IProposalGrain, Task<CommandResult<ProposalView>>> command) =>
        await proposals.SubmittedExistsAsync(roundId, proposalId) ? await command(Proposal(roundId, proposalId)) : NoSuchProposal;

    public Task<ScreeningConfig> ConfigAsync(string roundId) => Round(roundId).GetConfigAsync();

    /// <summary>The screening queue: submitted proposals of the round, filtered, sorted and paged (the proposal index).</summary>
    public Task<ProposalPage> QueueAsync(string roundId, ProposalQuery query) => proposals.QueryAsync(roundId, query);

    /// <summary>
    /// A proposal's review with its scores and private notes (staff only: never on a public page or answer); none for a
    /// draft, which staff may not read until its proposer submits it (the API and the review page alike).
    /// </summary>
    public async Task<ProposalReview?> GetReviewAsync(string roundId, string proposalId) =>
        await proposals.ExistsAsync(roundId, proposalId) && await Proposal(roundId, proposalId).GetReviewAsync() is { } review
            && !ProposalService.IsUnsubmitted(review.Proposal)
            ? review
            : null;

    public Task<CommandResult<ProposalView>> ScoreAsync(string roundId, string proposalId, Actor screener, int stage, IReadOnlyDictionary<string, int> scores) =>
        IfExistsAsync(roundId, proposalId, g => g.ScoreAsync(screener, stage, scores));

    public Task<CommandResult<ProposalView>> AddNoteAsync(string roundId, string proposalId, Actor screener, int stage, string noteId, string text) =>
        IfExistsAsync(roundId, proposalId, g => g.AddNoteAsync(screener, stage, noteId, text));

    public Task<CommandResult<ProposalView>> DecideAsync(string roundId, string proposalId, Actor screener, int stage, string decisionId, DecisionKind decision, string? message) =>
        IfExistsAsync(roundId, proposalId, g => g.DecideAsync(screener, stage, decisionId, decision, message));

    public Task<CommandResult<ProposalView>> AssignAsync(string roundId, string proposalId, Actor admin, IReadOnlyList<string> screeners) =>
        IfExistsAsync(roundId, proposalId, g => g.AssignAsync(admin, screeners));

    /// <summary>
    /// The same decision for each selected proposal. Each gets its own decision id derived from the
    /// batch id, so repeating the batch has no second effect; each result is reported separately.
    /// </summary>
    public async Task<IReadOnlyList<(string ProposalId, CommandResult<ProposalView> Result)>> DecideManyAsync(
        string roundId, IReadOnlyList<string> proposalIds, Actor screener, int stage, string batchId, DecisionKind decision, string? message)
    {
        var results = new List<(string, CommandResult<ProposalView>)>();
        foreach (var id in proposalIds.Distinct().Take(200))
        {
            var decisionId = $"b{ShardHash.Fnv1a(batchId):x8}{ShardHash.Fnv1a(batchId + ":" + id):x8}";
            results.Add((id, await DecideAsync(roundId, id, screener, stage, decisionId, decision, message)));
        }

        return results;
    }

    public Task<CommandResult<ScreeningOutcome>> SetSetupAsync(string roundId, Actor admin, ScreeningSetup setup) => Round(roundId).SetSetupAsync(admin, setup);

    public Task<CommandResult<ScreeningOutcome>> AssignStagesAsync(string roundId, Actor admin, ScreenerAssignment assignment) => Round(roundId).AssignStagesAsync(admin, assignment);

    public Task<CommandResult<ScreeningOutcome>> PublishShortlistAsync(string roundId, Actor admin, IReadOnlyList<string> proposalIds) =>
        RoundValidation.IsValidRoundId(roundId)
            ? Round(roundId).PublishShortlistAsync(admin, proposalIds)
            : Task.FromResult(CommandResult<ScreeningOutcome>.Refused(RoundErrorCodes.RoundNotFound, []));
}
