using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Screening;

[GenerateSerializer, Alias("civic.screening-state")]
public sealed class ScreeningState
{
    [Id(0)] public ScreeningSetup? Setup { get; set; }
    [Id(1)] public List<ScreenerAssignment> Assignments { get; set; } = [];
    [Id(2)] public int Version { get; set; }
    [Id(3)] public List<string> PublishedShortlist { get; set; } = [];
    [Id(4)] public int ShortlistVersion { get; set; }
}

/// <summary>
/// A round's screening setup and the shortlist step. A few KB: stages, categories, and one line per
/// screener. Non-reentrant, so two administrators publishing at once are serialised.
/// </summary>
[GrainType("screening")]
public sealed class ScreeningGrain(
    [PersistentState("screening", StorageNames.GrainState)] IPersistentState<ScreeningState> state,
    TimeProvider time) : Grain, IScreeningGrain
{
    private string RoundId => this.GetPrimaryKeyString();

    private ScreeningConfig Config() => new(state.State.Setup ?? ScreeningSetup.WardDefaults, [.. state.State.Assignments], state.State.Version);

    Task<ScreeningConfig> IScreeningGrain.GetConfigAsync() => Task.FromResult(Config());

    async Task<CommandResult<ScreeningOutcome>> IScreeningGrain.SetSetupAsync(Actor admin, ScreeningSetup setup)
    {
        if (!admin.IsAdministrator)
        {
            return CommandResult<ScreeningOutcome>.Refused(ProposalErrorCodes.NotStaff, []);
        }

        var errors = ScreeningSetup.Validate(setup);
        if (errors.Count > 0)
        {
            return CommandResult<ScreeningOutcome>.Refused(ScreeningErrorCodes.InvalidSetup, errors);
        }

        if (await GrainFactory.GetGrain<IRoundGrain>(RoundId).GetAsync() is not { } round)
        {
            return CommandResult<ScreeningOutcome>.Refused(RoundErrorCodes.RoundNotFound, []);
        }

        if (SameSetup(Config().Setup, setup))
        {
            return CommandResult<ScreeningOutcome>.Done(new(Config()));
        }

        // Proposals are screened against these stages: they must not move once screening has begun.
        if (round.Definition.Schedule.PhaseAt(time.GetUtcNow()) >= RoundPhase.Screening)
        {
            return CommandResult<ScreeningOutcome>.Refused(ScreeningErrorCodes.SetupLocked,
                [new("stages", ScreeningErrorCodes.SetupLocked, "Stages and categories cannot change once the call for proposals has closed.")]);
        }

        var (before, after) = Difference(Config().Setup, setup);
        state.State.Setup = setup;
        state.State.Version++;
        await state.WriteStateAsync();
        await new GrainAuditLog(GrainFactory).AppendAsync(RoundId, new AuditEntry(
            $"screening:setup:{state.State.Version}", time.GetUtcNow(), admin.Sub, admin.Name, "screening.setup", "screening stages", before, after));
        return CommandResult<ScreeningOutcome>.Done(new(Config()));
    }

    async Task<CommandResult<ScreeningOutcome>> IScreeningGrain.AssignStagesAsync(Actor admin, ScreenerAssignment assignment)
    {
        if (!admin.IsAdministrator)
        {
            return CommandResult<ScreeningOutcome>.Refused(ProposalErrorCodes.NotStaff, []);
        }

        var setup = Config().Setup;
        var sub = assignment?.ScreenerSub?.Trim() ?? "";
        var stages = (assignment?.Stages ?? []).Distinct().Order().ToList();
        if (sub.Length is 0 or > 100 || stages.Any(s => setup.Stage(s) is null))
        {
            return CommandResult<ScreeningOutcome>.Refused(ScreeningErrorCodes.InvalidAssignment,
                [new(sub.Length is 0 or > 100 ? "screenerSub" : "stages", ScreeningErrorCodes.InvalidAssignment, "Name a screener and stages the round has.")]);
        }

        var current = state.State.Assignments.FirstOrDefault(a => a.ScreenerSub == sub);
        if (current is not null ? current.Stages.SequenceEqual(stages) : stages.Count == 0)
        {
            return CommandResult<ScreeningOutcome>.Done(new(Config()));
        }

        state.State.Assignments.RemoveAll(a => a.ScreenerSub == sub);
        if (stages.Count > 0)
        {
            state.State.Assignments.Add(new ScreenerAssignment(sub, assignment!.ScreenerName?.Trim() is { Length: > 0 } name ? name : sub, stages));
        }

        state.State.Version++;
        await state.WriteStateAsync();
        await new GrainAuditLog(GrainFactory).AppendAsync(RoundId, new AuditEntry(
            $"screening:assign:{state.State.Version}", time.GetUtcNow(), admin.Sub, admin.Name, "screening.assign", $"screener {sub}",
            current is null ? null : "stages " + string.Join(", ", current.Stages), "stages " + string.Join(", ", stages)));
        return CommandResult<ScreeningOutcome>.Done(new(Config()));
    }

    async Task<CommandResult<ScreeningOutcome>> IScreeningGrain.PublishShortlistAsync(Actor admin, IReadOnlyList<string> proposalIds)
    {
        if (!admin.IsAdministrator)
        {
            return CommandResult<ScreeningOutcome>.Refused(ProposalErrorCodes.NotStaff, []);
        }

        var ids = (proposalIds ?? []).ToList();
        if (ids.Count == 0 || ids.Count > ShortlistValidation.MaxEntries || ids.Distinct().Count() != ids.Count)
        {
            return CommandResult<ScreeningOutcome>.Refused(RoundErrorCodes.InvalidShortlist,
                [new("proposalIds", RoundErrorCodes.InvalidShortlist, $"List 1 to {ShortlistValidation.MaxEntries} distinct proposals in ballot order.")]);
        }

        var round = GrainFactory.GetGrain<IRoundGrain>(RoundId);
        if (await round.GetAsync() is null)
        {
            return CommandResult<ScreeningOutcome>.Refused(RoundErrorCodes.RoundNotFound, []);
        }

        var proposals = await Task.WhenAll(ids.Select(id => ProposalValidation.IsValidProposalId(id)
            ? GrainFactory.GetGrain<IProposalGrain>($"{RoundId}:{id}").GetAsync()
            : Task.FromResult<ProposalView?>(null)));
        var errors = new List<ValidationError>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (!ShortlistEntry.MayBePrinted(proposals[i]))
            {
                errors.Add(new($"proposalIds[{i}]", ScreeningErrorCodes.NotSelected,
                    $"'{ids[i]}' is not a proposal selected by the screening committee."));
            }
        }

        if (errors.Count > 0)
        {
            return CommandResult<ScreeningOutcome>.Refused(ScreeningErrorCodes.NotSelected, errors);
        }

        var shortlist = new Shortlist([.. proposals.Select((p, i) => ShortlistEntry.For(i + 1, p!))]);
        var stored = await round.SetShortlistAsync(shortlist);
        if (!stored.Succeeded)
        {
            return CommandResult<ScreeningOutcome>.Refused(stored.Code!, stored.Errors);
        }

        // The round's shortlist is the record; the steps below bring the proposals in line with it.
        // Each is idempotent, so a retry after a failure part-way completes them.
        var now = time.GetUtcNow();
        if (!state.State.PublishedShortlist.SequenceEqual(ids))
        {
            var before = string.Join(", ", state.State.PublishedShortlist);
            state.State.PublishedShortlist = ids;
            state.State.ShortlistVersion++;
            await state.WriteStateAsync();
            await new GrainAuditLog(GrainFactory).AppendAsync(RoundId, new AuditEntry(
                $"screening:shortlist:{state.State.ShortlistVersion}", now, admin.Sub, admin.Name, "shortlist.publish", "shortlist",
                before.Length == 0 ? null : before, string.Join(", ", ids.Select((id, i) => $"{i + 1}={id}"))));
        }

        var previous = await GrainFactory.GetGrain<IProposalIndexGrain>(RoundId)
            .QueryAsync(new ProposalQuery(false, Status: ProposalStatus.Shortlisted, Take: 200));
        foreach (var gone in previous.Items.Where(p => !ids.Contains(p.ProposalId)))
        {
            await GrainFactory.GetGrain<IProposalGrain>($"{RoundId}:{gone.ProposalId}").SetBallotNumberAsync(admin, null);
        }

        for (var i = 0; i < ids.Count; i++)
        {
            var result = await GrainFactory.GetGrain<IProposalGrain>($"{RoundId}:{ids[i]}").SetBallotNumberAsync(admin, i + 1);
            if (!result.Succeeded)
            {
                return CommandResult<ScreeningOutcome>.Refused(result.Code!, result.Errors);
            }
        }

        return CommandResult<ScreeningOutcome>.Done(new(Config(), shortlist));
    }

    private static bool SameSetup(ScreeningSetup a, ScreeningSetup b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);

    /// <summary>Only the stages (and the category list) that differ, so a change is visible within the log's 200 characters a value.</summary>
    private static (string Before, string After) Difference(ScreeningSetup before, ScreeningSetup after)
    {
        static List<string> Parts(ScreeningSetup setup) =>
        [
            .. setup.Stages.Select(s => $"{s.Number} {s.Name} ({s.Kind}{(s.Criteria.Count == 0 ? "" : ": " + string.Join(", ", s.Criteria.Select(c => $"{c.Id}×{c.Weight}")))})"),
            "categories " + string.Join(", ", setup.Categories.Select(c => c.Id)),
        ];
        var (b, a) = (Parts(before), Parts(after));
        return (string.Join("; ", b.Except(a)), string.Join("; ", a.Except(b)));
    }
}
