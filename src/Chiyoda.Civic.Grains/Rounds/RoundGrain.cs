using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Rounds;

[GrainType("round")]
public sealed class RoundGrain(
    [PersistentState("round", StorageNames.GrainState)] IPersistentState<RoundState> state,
    TimeProvider time) : Grain, IRoundGrain
{
    private string RoundId => this.GetPrimaryKeyString();

    async Task<RoundCommandResult> IRoundGrain.CreateAsync(RoundDefinition definition)
    {
        if (!RoundValidation.IsValidRoundId(RoundId))
        {
            return RoundCommandResult.Refused(RoundErrorCodes.InvalidRoundId);
        }

        if (state.State.Definition is { } existing)
        {
            // A retried creation (lost response) must not fail; a different round under the same id must.
            return existing == definition
                ? RoundCommandResult.Stored(await RegisterAndSnapshotAsync())
                : RoundCommandResult.Refused(RoundErrorCodes.RoundExists);
        }

        var errors = RoundValidation.Validate(definition);
        if (errors.Count > 0)
        {
            return RoundCommandResult.Refused(RoundErrorCodes.InvalidRound, errors);
        }

        var now = time.GetUtcNow();
        state.State.Definition = definition;
        state.State.Version = 1;
        state.State.CreatedAt = now;
        state.State.UpdatedAt = now;
        await state.WriteStateAsync();
        return RoundCommandResult.Stored(await RegisterAndSnapshotAsync());
    }

    async Task<RoundCommandResult> IRoundGrain.UpdateAsync(RoundDefinition definition)
    {
        if (state.State.Definition is not { } existing)
        {
            return RoundCommandResult.Refused(RoundErrorCodes.RoundNotFound);
        }

        var errors = RoundValidation.Validate(definition);
        if (errors.Count > 0)
        {
            return RoundCommandResult.Refused(RoundErrorCodes.InvalidRound, errors);
        }

        var now = time.GetUtcNow();
        // Changing how many votes a ballot may hold, or who may vote, after ballots exist would make
        // earlier ballots follow other rules than later ones.
        if (existing.Schedule.PhaseAt(now) >= RoundPhase.Voting && existing.Rules != definition.Rules)
        {
            return RoundCommandResult.Refused(RoundErrorCodes.RulesLocked,
                [new("rules", RoundErrorCodes.RulesLocked, "The rules cannot change once voting has opened.")]);
        }

        if (existing == definition)
        {
            return RoundCommandResult.Stored(Snapshot());
        }

        state.State.Definition = definition;
        state.State.Version++;
        state.State.UpdatedAt = now;
        await state.WriteStateAsync();
        return RoundCommandResult.Stored(await RegisterAndSnapshotAsync());
    }

    async Task<RoundCommandResult> IRoundGrain.SetShortlistAsync(Shortlist shortlist)
    {
        if (state.State.Definition is not { } definition)
        {
            return RoundCommandResult.Refused(RoundErrorCodes.RoundNotFound);
        }

        var errors = ShortlistValidation.Validate(shortlist);
        if (errors.Count > 0)
        {
            return RoundCommandResult.Refused(RoundErrorCodes.InvalidShortlist, errors);
        }

        if (state.State.Shortlist is { } current && current.Entries.SequenceEqual(shortlist.Entries))
        {
            return RoundCommandResult.Stored(Snapshot());
        }

        // Ballots name proposals by their ballot number: the list must not move under them.
        if (definition.Schedule.PhaseAt(time.GetUtcNow()) >= RoundPhase.Voting)
        {
            return RoundCommandResult.Refused(RoundErrorCodes.ShortlistLocked,
                [new("entries", RoundErrorCodes.ShortlistLocked, "The shortlist cannot change once voting has opened.")]);
        }

        // One way onto the ballot: each entry must be a selected proposal of this round, printed as its
        // proposer wrote it. The screening grain builds such a list; anything else is refused here too.
        var proposals = await Task.WhenAll(shortlist.Entries.Select(e => ProposalValidation.IsValidProposalId(e.ProposalId)
            ? GrainFactory.GetGrain<IProposalGrain>($"{RoundId}:{e.ProposalId}").GetAsync()
            : Task.FromResult<ProposalView?>(null)));
        var notSelected = shortlist.Entries
            .Select((e, i) => (Entry: e, Index: i, Proposal: proposals[i]))
            .Where(x => !ShortlistEntry.MayBePrinted(x.Proposal) || ShortlistEntry.For(x.Entry.BallotNumber, x.Proposal!) != x.Entry)
            .Select(x => new ValidationError($"entries[{x.Index}]", ScreeningErrorCodes.NotSelected,
                $"'{x.Entry.ProposalId}' is not a proposal selected by the screening committee, as its proposer wrote it."))
            .ToList();
        if (notSelected.Count > 0)
        {
            return RoundCommandResult.Refused(ScreeningErrorCodes.NotSelected, notSelected);
        }

        state.State.Shortlist = shortlist with { Entries = [.. shortlist.Entries.OrderBy(e => e.BallotNumber)] };
        state.State.Version++;
        state.State.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        return RoundCommandResult.Stored(Snapshot());
    }

    Task<Shortlist?> IRoundGrain.GetShortlistAsync() => Task.FromResult(state.State.Shortlist);

    Task<BallotSettings?> IRoundGrain.GetBallotSettingsAsync() =>
        Task.FromResult(state.State.Definition is { } d ? new BallotSettings(d.Schedule, d.Rules, state.State.Shortlist) : null);

    Task<RoundSnapshot?> IRoundGrain.GetAsync() =>
        Task.FromResult(state.State.Definition is null ? null : Snapshot());

    /// <summary>
    /// The directory entry is written after the round itself; repeating it on every successful command
    /// means a crash between the two writes is repaired by the caller's retry.
    /// </summary>
    private async Task<RoundSnapshot> RegisterAndSnapshotAsync()
    {
        var definition = state.State.Definition!;
        await GrainFactory.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey)
            .RegisterAsync(new RoundSummary(RoundId, definition.Name, definition.NameEn, definition.Schedule));
        return Snapshot();
    }

    private RoundSnapshot Snapshot() =>
        new(RoundId, state.State.Definition!, state.State.Version, state.State.CreatedAt, state.State.UpdatedAt);
}
