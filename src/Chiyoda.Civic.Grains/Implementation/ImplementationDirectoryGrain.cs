using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Grains.Implementation;

[GenerateSerializer, Alias("civic.implementation-directory-state")]
public sealed class ImplementationDirectoryState
{
    [Id(0)] public ImplementationPath? Path { get; set; }
    [Id(1)] public Dictionary<string, ImplementationSummary> Records { get; set; } = [];
}

/// <summary>
/// The ward's status path and one summary per implementation record (~300 bytes each; a ward adopts a few
/// proposals a year, so decades fit in one entity). Non-reentrant for writes; the path read interleaves,
/// because records read it while they upsert here.
/// </summary>
[GrainType("implementation-directory")]
public sealed class ImplementationDirectoryGrain(
    [PersistentState("implementation-directory", StorageNames.GrainState)] IPersistentState<ImplementationDirectoryState> state) : Grain, IImplementationDirectoryGrain
{
    private ImplementationPath CurrentPath => state.State.Path ?? ImplementationPath.WardDefaults;

    Task<ImplementationPath> IImplementationDirectoryGrain.GetPathAsync() => Task.FromResult(CurrentPath);

    async Task<ImplementationResult> IImplementationDirectoryGrain.SetPathAsync(Actor admin, ImplementationPath path)
    {
        if (!admin.IsAdministrator)
        {
            return ImplementationResult.Refused(ImplementationErrorCodes.NotAllowed, "Only administrators set the status path.");
        }

        var errors = ImplementationPath.Validate(path);
        if (errors.Count > 0)
        {
            return ImplementationResult.Refused(ImplementationErrorCodes.InvalidPath, errors);
        }

        // A record's timeline names its statuses by id: none it has reached may disappear from the path.
        var inUse = state.State.Records.Values.Select(r => r.StatusId).Where(id => id != ImplementationPath.NotPursued)
            .Where(id => path.Statuses.All(s => s.Id != id)).Distinct().ToList();
        if (inUse.Count > 0)
        {
            return ImplementationResult.Refused(ImplementationErrorCodes.InvalidPath,
                [new("statuses", ImplementationErrorCodes.InvalidPath, $"Records are at {string.Join(", ", inUse)}: keep these statuses on the path.")]);
        }

        state.State.Path = path with { Statuses = [.. path.Statuses.Select(s => new ImplementationStatus(s.Id, s.Name.Trim(), s.NameEn.Trim()))] };
        await state.WriteStateAsync();
        return new ImplementationResult(null, null, []);
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
}

/// <summary>The subs following one proposal (~40 bytes each, capped at 5,000: ~200 KB at most).</summary>
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
        await state.WriteStateAsync();
        return true;
    }

    async Task IProposalFollowersGrain.UnfollowAsync(string sub)
    {
        if (state.State.Subs.Remove(sub))
        {
            await state.WriteStateAsync();
        }
    }

    Task<bool> IProposalFollowersGrain.IsFollowingAsync(string sub) => Task.FromResult(state.State.Subs.Contains(sub));

    Task<IReadOnlyList<string>> IProposalFollowersGrain.ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Subs]);
}
