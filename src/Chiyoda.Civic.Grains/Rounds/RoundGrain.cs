using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Rounds;

[GrainType("round")]
public sealed class RoundGrain(
    [PersistentState("round", StorageNames.GrainState)] IPersistentState<RoundState> state,
    TimeProvider time) : Grain, IRoundGrain
{
    /// <summary>Who a change is recorded against when no person made it (seeding, tools).</summary>
    public static readonly Actor System = new("system", "system");

    private string RoundId => this.GetPrimaryKeyString();

    async Task<CommandResult<RoundSnapshot>> IRoundGrain.CreateAsync(RoundDefinition definition, Actor? actor)
    {
        if (!RoundValidation.IsValidRoundId(RoundId))
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.InvalidRoundId, []);
        }

        if (state.State.Definition is { } existing)
        {
            // A retried creation (lost response) must not fail; a different round under the same id must.
            return existing == definition
                ? CommandResult<RoundSnapshot>.Done(await RegisterAndSnapshotAsync())
                : CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.RoundExists, []);
        }

        var errors = RoundValidation.Validate(definition);
        if (errors.Count > 0)
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.InvalidRound, errors);
        }

        var now = time.GetUtcNow();
        state.State.Definition = definition;
        state.State.Version = 1;
        state.State.CreatedAt = now;
        state.State.UpdatedAt = now;
        Audit("round.created", actor, now, null, definition);
        await state.WriteStateAsync();
        return CommandResult<RoundSnapshot>.Done(await RegisterAndSnapshotAsync());
    }

    async Task<CommandResult<RoundSnapshot>> IRoundGrain.UpdateAsync(RoundDefinition definition, Actor? actor)
    {
        if (state.State.Definition is not { } existing)
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.RoundNotFound, []);
        }

        definition = definition with { Schedule = definition.Schedule.KeepingWithinTheSecond(existing.Schedule) };
        var errors = RoundValidation.Validate(definition);
        if (errors.Count > 0)
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.InvalidRound, errors);
        }

        var now = time.GetUtcNow();
        var was = existing.Schedule;
        var votingOpened = now >= was.VotingOpens;
        // Changing how many votes a ballot may hold, or who may vote, after ballots exist would make
        // earlier ballots follow other rules than later ones.
        if (votingOpened && existing.Rules != definition.Rules)
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.RulesLocked,
                [new("rules", RoundErrorCodes.RulesLocked, "The rules cannot change once voting has opened.")]);
        }

        // Ballots were judged against this opening: moving it would re-judge them, or open the window again.
        if (votingOpened && definition.Schedule.VotingOpens != was.VotingOpens)
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.VotingOpensLocked,
                [new("schedule.votingOpens", RoundErrorCodes.VotingOpensLocked, "Voting has opened: its opening cannot move.")]);
        }

        // Once closed (the scheduled close passed, or an administrator closed early), the count may already have been
        // seen: a later close would reopen voting after a peek. The early close moves the close to its instant through
        // this method while voting is still open; the close record is checked too, in case that move never landed.
        if (definition.Schedule.VotingCloses != was.VotingCloses && votingOpened && await VotingClosedAsync(was, now))
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.VotingClosed,
                [new("schedule.votingCloses", RoundErrorCodes.VotingClosed, "Voting has closed: the round cannot be reopened.")]);
        }

        if (existing == definition)
        {
            await DeliverAuditAsync();
            return CommandResult<RoundSnapshot>.Done(Snapshot());
        }

        state.State.Definition = definition;
        state.State.Version++;
        state.State.UpdatedAt = now;
        Audit("round.updated", actor, now, existing, definition);
        await state.WriteStateAsync();
        return CommandResult<RoundSnapshot>.Done(await RegisterAndSnapshotAsync());
    }

    async Task<RoundSnapshot?> IRoundGrain.RecordPublicationAsync(DateTimeOffset publishedAt)
    {
        if (state.State.Definition is null)
        {
            return null;
        }

        if (state.State.PublishedAt is null)
        {
            state.State.PublishedAt = publishedAt;
            await state.WriteStateAsync();
        }

        return Snapshot();
    }

    async Task<CommandResult<RoundSnapshot>> IRoundGrain.SetShortlistAsync(Shortlist shortlist)
    {
        if (state.State.Definition is not { } definition)
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.RoundNotFound, []);
        }

        var errors = ShortlistValidation.Validate(shortlist);
        if (errors.Count > 0)
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.InvalidShortlist, errors);
        }

        if (state.State.Shortlist is { } current && current.Entries.SequenceEqual(shortlist.Entries))
        {
            return CommandResult<RoundSnapshot>.Done(Snapshot());
        }

        // Ballots name proposals by their ballot number: the list must not move under them.
        if (definition.Schedule.PhaseAt(time.GetUtcNow()) >= RoundPhase.Voting)
        {
            return CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.ShortlistLocked,
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
            return CommandResult<RoundSnapshot>.Refused(ScreeningErrorCodes.NotSelected, notSelected);
        }

        state.State.Shortlist = shortlist with { Entries = [.. shortlist.Entries.OrderBy(e => e.BallotNumber)] };
        state.State.Version++;
        state.State.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        return CommandResult<RoundSnapshot>.Done(Snapshot());
    }

    Task<Shortlist?> IRoundGrain.GetShortlistAsync() => Task.FromResult(state.State.Shortlist);

    Task<BallotSettings?> IRoundGrain.GetBallotSettingsAsync() =>
        Task.FromResult(state.State.Definition is { } d ? new BallotSettings(d.Schedule, d.Rules, state.State.Shortlist) : null);

    Task<RoundSnapshot?> IRoundGrain.GetAsync() =>
        Task.FromResult(state.State.Definition is null ? null : Snapshot());

    /// <summary>Closed by the schedule, or by an early close recorded in the results grain (which never calls this grain, so no cycle).</summary>
    private async Task<bool> VotingClosedAsync(RoundSchedule schedule, DateTimeOffset now) =>
        now >= schedule.VotingCloses || (await GrainFactory.GetGrain<IResultsGrain>(RoundId).GetAsync()).Close is not null;

    private void Audit(string action, Actor? actor, DateTimeOffset at, RoundDefinition? before, RoundDefinition after)
    {
        var who = actor ?? System;
        var (was, now) = RoundAudit.Difference(before, after);
        state.State.PendingAudit.Add(new AuditEntry($"round:{RoundId}:v{state.State.Version}", at, who.Sub, who.Name, action,
            $"round {RoundId}", was, now));
    }

    /// <summary>Delivers the stored entries; they are cleared in memory only (stored empty with the next change), since a repeat is harmless.</summary>
    private async Task DeliverAuditAsync()
    {
        var log = new GrainAuditLog(GrainFactory);
        foreach (var entry in state.State.PendingAudit.ToList())
        {
            await log.AppendAsync(RoundId, entry);
            state.State.PendingAudit.Remove(entry);
        }
    }

    /// <summary>
    /// The directory entry and the audit entries are written after the round itself; repeating them on every
    /// successful command means a crash between the writes is repaired by the caller's retry.
    /// </summary>
    private async Task<RoundSnapshot> RegisterAndSnapshotAsync()
    {
        var definition = state.State.Definition!;
        await GrainFactory.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey)
            .RegisterAsync(new RoundSummary(RoundId, definition.Name, definition.NameEn, definition.Schedule));
        await DeliverAuditAsync();
        return Snapshot();
    }

    private RoundSnapshot Snapshot() =>
        new(RoundId, state.State.Definition!, state.State.Version, state.State.CreatedAt, state.State.UpdatedAt, state.State.PublishedAt);
}
