using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Proposals;

namespace Chiyoda.Civic.Web.Screening;

/// <summary>
/// Screening as the API reaches it: the round's setup, stage assignments and shortlist (the screening grain), and the
/// reviews of single proposals (scores, private notes, decisions, assignees: the proposal grain, through
/// <see cref="ProposalService"/>, which also checks that the proposal exists before touching its grain).
/// </summary>
public sealed class ScreeningService(ProposalService proposals)
{
    public Task<ScreeningConfig> ConfigAsync(string roundId) => proposals.ConfigAsync(roundId);

    public Task<ProposalPage> QueueAsync(string roundId, ProposalQuery query) => proposals.QueryAsync(roundId, query);

    public Task<ProposalReview?> GetReviewAsync(string roundId, string proposalId) => proposals.GetReviewAsync(roundId, proposalId);

    public Task<CommandResult<ProposalView>> ScoreAsync(string roundId, string proposalId, Actor screener, int stage, IReadOnlyDictionary<string, int> scores) =>
        proposals.ScoreAsync(roundId, proposalId, screener, stage, scores);

    public Task<CommandResult<ProposalView>> AddNoteAsync(string roundId, string proposalId, Actor screener, int stage, string noteId, string text) =>
        proposals.AddNoteAsync(roundId, proposalId, screener, stage, noteId, text);

    public Task<CommandResult<ProposalView>> DecideAsync(string roundId, string proposalId, Actor screener, int stage, string decisionId, DecisionKind decision, string? message) =>
        proposals.DecideAsync(roundId, proposalId, screener, stage, decisionId, decision, message);

    public Task<IReadOnlyList<(string ProposalId, CommandResult<ProposalView> Result)>> DecideManyAsync(
        string roundId, IReadOnlyList<string> proposalIds, Actor screener, int stage, string batchId, DecisionKind decision, string? message) =>
        proposals.DecideManyAsync(roundId, proposalIds, screener, stage, batchId, decision, message);

    public Task<CommandResult<ProposalView>> AssignAsync(string roundId, string proposalId, Actor admin, IReadOnlyList<string> screeners) =>
        proposals.AssignAsync(roundId, proposalId, admin, screeners);

    public Task<CommandResult<ScreeningOutcome>> SetSetupAsync(string roundId, Actor admin, ScreeningSetup setup) => proposals.SetSetupAsync(roundId, admin, setup);

    public Task<CommandResult<ScreeningOutcome>> AssignStagesAsync(string roundId, Actor admin, ScreenerAssignment assignment) => proposals.AssignStagesAsync(roundId, admin, assignment);

    public Task<CommandResult<ScreeningOutcome>> PublishShortlistAsync(string roundId, Actor admin, IReadOnlyList<string> proposalIds) =>
        proposals.PublishShortlistAsync(roundId, admin, proposalIds);
}
