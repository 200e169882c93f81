using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Grains.Notifications;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Implementation;

[GenerateSerializer, Alias("civic.implementation-directory-state")]
public sealed class ImplementationDirectoryState
{
    [Id(0)] public ImplementationPath? Path { get; set; }
    [Id(1)] public Dictionary<string, ImplementationSummary> Records { get; set; } = [];

    /// <summary>How many times the path was set: the audit entry of a change is named by it, so a retried delivery appends once.</summary>
    [Id(2)] public int PathVersion { get; set; }

    /// <summary>Audit entries stored with the change and delivered after it (again on the next command or activation if that failed).</summary>
    [Id(3)] public List<AuditEntry> PendingAudit { get; set; } = [];
}

/// <summary>
/// The ward's status path and one summary per implementation record (~300 bytes each; a ward adopts a few
/// proposals a year, so decades fit in one entity). Non-reentrant for writes; the path read interleaves,
/// because records read it while they upsert here.
/// </summary>
[GrainType("implementation-directory")]
public sealed class ImplementationDirectoryGrain(
    [PersistentState("implementation-directory", StorageNames.GrainState)] IPersistentState<ImplementationDirectoryState> state,
    TimeProvider time) : Grain, IImplementationDirectoryGrain
{
    private ImplementationPath CurrentPath => state.State.Path ?? ImplementationPath.WardDefaults;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await DeliverAuditAsync();
        await base.OnActivateAsync(cancellationToken);
    }

    Task<ImplementationPath> IImplementationDirectoryGrain.GetPathAsync() => Task.FromResult(CurrentPath);

    async Task<CommandResult<ImplementationPath>> IImplementationDirectoryGrain.SetPathAsync(Actor admin, ImplementationPath path)
    {
        if (!admin.IsAdministrator)
        {
            return CommandResult<ImplementationPath>.Refused(ImplementationErrorCodes.NotAllowed, "Only administrators set the status path.");
        }

        var errors = ImplementationPath.Validate(path);
        if (errors.Count > 0)
        {
            return CommandResult<ImplementationPath>.Refused(ImplementationErrorCodes.InvalidPath, errors);
        }

        // A record's timeline names its statuses by id: none it has reached may disappear from the path.
        var inUse = state.State.Records.Values.Select(r => r.StatusId).Where(id => id != ImplementationPath.NotPursued)
            .Where(id => path.Statuses.All(s => s.Id != id)).Distinct().ToList();
        if (inUse.Count > 0)
        {
            return CommandResult<ImplementationPath>.Refused(ImplementationErrorCodes.StatusInUse,
                [new("statuses", ImplementationErrorCodes.StatusInUse, $"Records are at {string.Join(", ", inUse)}: keep these statuses on the path.")]);
        }

        await DeliverAuditAsync();
        var before = CurrentPath;
        var after = path with { Statuses = [.. path.Statuses.Select(s => new ImplementationStatus(s.Id, s.Name.Trim(), s.NameEn.Trim()))] };
        if (state.State.Path is not null && before.Statuses.SequenceEqual(after.Statuses))
        {
            return CommandResult<ImplementationPath>.Done(before);
        }

        // The path is the ward's, not a round's: its changes go to the ward's own audit chain (key "ward").
        state.State.Path = after;
        state.State.PathVersion++;
        var (removed, added) = Difference(before, after);
        state.State.PendingAudit.Add(new AuditEntry($"implementation.path:{state.State.PathVersion}", time.GetUtcNow(), admin.Sub, admin.Name,
            "implementation.path", "status path", removed, added));
        await state.WriteStateAsync();
        await DeliverAuditAsync();
        return CommandResult<ImplementationPath>.Done(after);
    }

    /// <summary>
    /// What changed, within an audit entry's 200 characters: the statuses taken away or renamed (before) and those added or
    /// renamed (after), each "id 日本語名 / English"; when the order changed, the new order of ids as well.
    /// </summary>
    private static (string Before, string After) Difference(ImplementationPath before, ImplementationPath after)
    {
        static string Line(ImplementationStatus s) => $"{s.Id} {s.Name} / {s.NameEn}";
        var removed = string.Join("; ", before.Statuses.Where(s => !after.Statuses.Contains(s)).Select(Line));
        var added = string.Join("; ", after.Statuses.Where(s => !before.Statuses.Contains(s)).Select(Line));
        var beforeOrder = before.Statuses.Select(s => s.Id).Where(id => after.Statuses.Any(a => a.Id == id));
        var afterOrder = after.Statuses.Select(s => s.Id).Where(id => before.Statuses.Any(b => b.Id == id));
        if (!beforeOrder.SequenceEqual(afterOrder) || (removed.Length == 0 && added.Length == 0))
        {
            added = (added.Length > 0 ? added + "; " : "") + "order: " + string.Join(" → ", after.Statuses.Select(s => s.Id));
        }

        return (removed.Length == 0 ? "—" : removed, added);
    }

    private async Task DeliverAuditAsync()
    {
        if (state.State.PendingAudit.Count == 0)
        {
            return;
        }

        var audit = new GrainAuditLog(GrainFactory);
        foreach (var entry in state.State.PendingAudit)
        {
            await audit.AppendAsync(WardAudit.ChainKey, entry);
        }

        state.State.PendingAudit.Clear();
        await state.WriteStateAsync();
    }

    async Task IImplementationDirectoryGrain.UpsertAsync(ImplementationSummary summary)
    {
        var key = ImplementationValidation.Key(summary.RoundId, summary.ProposalId);
        if (state.State.Records.TryGetValue(key, out var known) && known == summary)
        {
            return;
        }

        state.State.Records[key] = summary;
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<ImplementationSummary>> IImplementationDirectoryGrain.ListAsync() =>
        Task.FromResult<IReadOnlyList<ImplementationSummary>>([.. state.State.Records.Values
            .Select(s => s with { Progress = CurrentPath.Progress(s.StatusId) })
            .OrderByDescending(s => s.FiscalYear).ThenBy(s => s.RoundId, StringComparer.Ordinal).ThenBy(s => s.ProposalId, StringComparer.Ordinal)]);
}

[GenerateSerializer, Alias("civic.proposal-followers-state")]
public sealed class ProposalFollowersState
{
    [Id(0)] public List<string> Subs { get; set; } = [];

    /// <summary>Each follower's stop-link token (<see cref="FollowTokens"/>), by sub; removed when they stop following.</summary>
    [Id(1)] public Dictionary<string, string> Tokens { get; set; } = [];

    /// <summary>Stop-link tokens already spent (<see cref="SpentStopLinks"/>), so their page says "stopped", not "not valid".</summary>
    [Id(2)] public List<string> SpentTokens { get; set; } = [];
}

/// <summary>The subs following one proposal, with their stop tokens (~80 bytes each, capped at 5,000: ~400 KB at most).</summary>
[GrainType("proposal-followers")]
public sealed class ProposalFollowersGrain(
    [PersistentState("followers", StorageNames.GrainState)] IPersistentState<ProposalFollowersState> state) : Grain, IProposalFollowersGrain
{
    async Task<bool> IProposalFollowersGrain.FollowAsync(string sub)
    {
        if (state.State.Subs.Contains(sub))
        {
            return true;
        }

        if (state.State.Subs.Count >= IProposalFollowersGrain.MaxFollowers || string.IsNullOrEmpty(sub))
        {
            return false;
        }

        state.State.Subs.Add(sub);
        state.State.Tokens[sub] = FollowTokens.New();
        await state.WriteStateAsync();
        return true;
    }

    async Task IProposalFollowersGrain.UnfollowAsync(string sub)
    {
        // Stopping on the site spends the person's email link as well: opened later, it says the following has stopped.
        if (state.State.Tokens.TryGetValue(sub, out var token))
        {
            SpentStopLinks.Spend(state.State.SpentTokens, token, sub);
        }

        if (state.State.Subs.Remove(sub) | state.State.Tokens.Remove(sub))
        {
            await state.WriteStateAsync();
        }
    }

    Task<bool> IProposalFollowersGrain.IsFollowingAsync(string sub) => Task.FromResult(state.State.Subs.Contains(sub));

    Task<IReadOnlyList<string>> IProposalFollowersGrain.ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Subs]);

    async Task<IReadOnlyList<ProposalFollower>> IProposalFollowersGrain.RecipientsAsync()
    {
        var missing = state.State.Subs.Where(s => !state.State.Tokens.ContainsKey(s)).ToList();
        foreach (var sub in missing)
        {
            state.State.Tokens[sub] = FollowTokens.New();
        }

        // Stored before any email carries one: a token handed out always stops what it names.
        if (missing.Count > 0)
        {
            await state.WriteStateAsync();
        }

        return [.. state.State.Subs.Select(s => new ProposalFollower(s, state.State.Tokens[s]))];
    }

    Task<StopLinkState> IProposalFollowersGrain.StopLinkStateAsync(string token) => Task.FromResult(
        FollowerOf(token) is not null ? StopLinkState.Active
        : !FollowTokens.IsWellFormed(token) || SpentStopLinks.OwnerOf(state.State.SpentTokens, token) is not { } owner ? StopLinkState.Unknown
        : state.State.Subs.Contains(owner) ? StopLinkState.Superseded
        : StopLinkState.Spent);

    /// <summary>The follower the token belongs to. Every token is compared (in constant time each), so how long the answer takes says nothing about the list.</summary>
    private string? FollowerOf(string token)
    {
        if (!FollowTokens.IsWellFormed(token))
        {
            return null;
        }

        string? found = null;
        foreach (var (sub, held) in state.State.Tokens)
        {
            if (FollowTokens.Same(held, token))
            {
                found = sub;
            }
        }

        return found;
    }

    async Task<bool> IProposalFollowersGrain.UnfollowByTokenAsync(string token)
    {
        var found = FollowerOf(token);
        if (found is null)
        {
            return false;
        }

        state.State.Subs.Remove(found);
        state.State.Tokens.Remove(found);
        SpentStopLinks.Spend(state.State.SpentTokens, token, found);
        await state.WriteStateAsync();
        return true;
    }
}
