using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Proposals;

/// <summary>
/// The one way pages and the API reach the resident's side of proposals: create, edit, submit, withdraw, read, the public
/// list (the index) and the round's categories. Screening (reviews, decisions, assignments, the shortlist) is
/// <see cref="Screening.ScreeningService"/>'s.
/// </summary>
public sealed class ProposalService(IGrainFactory grains, KnownRounds rounds)
{
    private static readonly CommandResult<ProposalView> BadId =
        CommandResult<ProposalView>.Refused(ProposalErrorCodes.ProposalNotFound, "There is no such proposal.", "proposal");

    public static bool ValidIds(string roundId, string proposalId) =>
        RoundValidation.IsValidRoundId(roundId) && ProposalValidation.IsValidProposalId(proposalId);

    private IProposalGrain Grain(string roundId, string proposalId) => grains.GetGrain<IProposalGrain>($"{roundId}:{proposalId}");

    /// <summary>
    /// The id is well formed, the round exists and its index lists the proposal: checked before the
    /// proposal's grain is touched, so unknown ids activate (and store) nothing.
    /// </summary>
    public async Task<bool> ExistsAsync(string roundId, string proposalId) =>
        ValidIds(roundId, proposalId) && await rounds.ExistsAsync(roundId)
        && await grains.GetGrain<IProposalIndexGrain>(roundId).ContainsAsync(proposalId);

    private async Task<CommandResult<ProposalView>> IfExistsAsync(string roundId, string proposalId, Func<IProposalGrain, Task<CommandResult<ProposalView>>> command) =>
        await ExistsAsync(roundId, proposalId) ? await command(Grain(roundId, proposalId)) : BadId;

    public Task<ScreeningConfig> ConfigAsync(string roundId) => grains.GetGrain<IScreeningGrain>(roundId).GetConfigAsync();

    public async Task<ProposalView?> GetAsync(string roundId, string proposalId) =>
        await ExistsAsync(roundId, proposalId) ? await Grain(roundId, proposalId).GetAsync() : null;

    /// <summary>
    /// Never submitted: a draft, or a draft its proposer withdrew. It is the proposer's alone, staff included, until it is
    /// submitted (a proposal entered from paper is submitted as it is entered): what a resident has not yet sent is not
    /// the ward's to read.
    /// </summary>
    public static bool IsUnsubmitted(ProposalView view) => view.History.All(e => e.Kind != ProposalEventKind.Submitted);

    /// <summary>
    /// What this reader may see: everything of their own proposal; staff see every submitted one (without notes); others
    /// only public ones. Anyone else asking for a draft is told there is no such proposal, as for an id that names none.
    /// </summary>
    public async Task<ProposalView?> GetForReaderAsync(string roundId, string proposalId, Actor? reader)
    {
        var view = await GetAsync(roundId, proposalId);
        return view switch
        {
            null => null,
            _ when reader is not null && reader.Sub == view.AuthorSub => view,
            _ when IsUnsubmitted(view) => null,
            _ when reader is not null && (reader.IsAdministrator || reader.IsScreener) => view,
            { IsPublic: true } => view.ForPublic(),
            _ => null,
        };
    }

    /// <summary>The proposal exists and has been submitted: staff may screen it (a draft is answered as no proposal).</summary>
    public async Task<bool> SubmittedExistsAsync(string roundId, string proposalId) =>
        await GetAsync(roundId, proposalId) is { } view && !IsUnsubmitted(view);

    public async Task<ProposalPage> QueryAsync(string roundId, ProposalQuery query) =>
        await rounds.ExistsAsync(roundId)
            ? await grains.GetGrain<IProposalIndexGrain>(roundId).QueryAsync(query)
            : new ProposalPage([], 0);

    /// <summary>The reader's own proposals with their history.</summary>
    public async Task<IReadOnlyList<ProposalView>> MineAsync(string roundId, string sub)
    {
        var page = await QueryAsync(roundId, new ProposalQuery(false, AuthorSub: sub, Take: 200));
        var views = await Task.WhenAll(page.Items.Select(p => Grain(roundId, p.ProposalId).GetAsync()));
        return [.. views.OfType<ProposalView>().Where(v => v.AuthorSub == sub)];
    }

    public Task<CommandResult<ProposalView>> CreateAsync(string roundId, string proposalId, Actor author, ProposalContent content) =>
        ValidIds(roundId, proposalId) ? Grain(roundId, proposalId).CreateAsync(author, content)
            : Task.FromResult(CommandResult<ProposalView>.Refused(ProposalErrorCodes.InvalidProposalId, "Proposal ids are 1-63 lower-case letters, digits and hyphens.", "proposal"));

    /// <summary>A proposal received on paper or by mail, entered by staff for its named proposer (a new id each time unless given).</summary>
    public async Task<CommandResult<ProposalView>> EnterFromPaperAsync(string roundId, string? proposalId, Actor staff, ProposalIntake intake, ProposalContent content)
    {
        proposalId = string.IsNullOrWhiteSpace(proposalId) ? ProposalValidation.NewProposalId() : proposalId.Trim();
        return !ValidIds(roundId, proposalId)
            ? CommandResult<ProposalView>.Refused(ProposalErrorCodes.InvalidProposalId, "Proposal ids are 1-63 lower-case letters, digits and hyphens.", "proposal")
            : !await rounds.ExistsAsync(roundId)
                ? CommandResult<ProposalView>.Refused(ProposalErrorCodes.RoundNotFound, "There is no such round.", "proposal")
                : await Grain(roundId, proposalId).EnterFromPaperAsync(staff, intake, content);
    }

    public Task<CommandResult<ProposalView>> UpdateAsync(string roundId, string proposalId, Actor author, ProposalContent content) =>
        IfExistsAsync(roundId, proposalId, g => g.UpdateAsync(author, content));

    public Task<CommandResult<ProposalView>> SubmitAsync(string roundId, string proposalId, Actor author) =>
        IfExistsAsync(roundId, proposalId, g => g.SubmitAsync(author));

    public Task<CommandResult<ProposalView>> WithdrawAsync(string roundId, string proposalId, Actor author, string reason) =>
        IfExistsAsync(roundId, proposalId, g => g.WithdrawAsync(author, reason));
}
