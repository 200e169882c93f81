using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;

namespace Chiyoda.Civic.Grains.Register;

[GenerateSerializer, Alias("civic.register-shard-state")]
public sealed class RegisterShardState
{
    [Id(0)] public Dictionary<string, RegisterEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}

[GrainType("register-shard")]
public sealed class RegisterShardGrain(
    [PersistentState("register", StorageNames.GrainState)] IPersistentState<RegisterShardState> state) : Grain, IRegisterShardGrain
{
    async Task<IReadOnlyList<RegisterChange>> IRegisterShardGrain.UpsertAsync(IReadOnlyList<RegisterEntry> entries)
    {
        var changes = new List<RegisterChange>(entries.Count);
        foreach (var entry in entries)
        {
            if (!state.State.Entries.TryGetValue(entry.VoterKey, out var known))
            {
                state.State.Entries[entry.VoterKey] = entry;
                changes.Add(RegisterChange.Added);
            }
            else if (known != entry)
            {
                state.State.Entries[entry.VoterKey] = entry;
                changes.Add(RegisterChange.Updated);
            }
            else
            {
                changes.Add(RegisterChange.Unchanged);
            }
        }

        if (changes.Any(c => c != RegisterChange.Unchanged))
        {
            await state.WriteStateAsync();
        }

        return changes;
    }

    Task<RegisterEntry?> IRegisterShardGrain.GetAsync(string voterKey) =>
        Task.FromResult(state.State.Entries.GetValueOrDefault(voterKey));

    Task<int> IRegisterShardGrain.CountAsync() => Task.FromResult(state.State.Entries.Count);

    Task<IReadOnlyList<DateOnly>> IRegisterShardGrain.GetBirthdatesAsync(IReadOnlyList<string> voterKeys)
    {
        var birthdates = new List<DateOnly>(voterKeys.Count);
        foreach (var key in voterKeys)
        {
            if (state.State.Entries.TryGetValue(key, out var entry))
            {
                birthdates.Add(entry.Birthdate);
            }
        }

        return Task.FromResult<IReadOnlyList<DateOnly>>(birthdates);
    }
}

[GenerateSerializer, Alias("civic.register-lookup-state")]
public sealed class RegisterLookupState
{
    /// <summary>"{birthdate}|{kana}" → voter keys.</summary>
    [Id(0)] public Dictionary<string, List<string>> Keys { get; set; } = new(StringComparer.Ordinal);
}

[GrainType("register-lookup")]
public sealed class RegisterLookupGrain(
    [PersistentState("lookup", StorageNames.GrainState)] IPersistentState<RegisterLookupState> state) : Grain, IRegisterLookupGrain
{
    async Task IRegisterLookupGrain.IndexAsync(IReadOnlyList<RegisterEntry> entries)
    {
        var changed = false;
        foreach (var entry in entries)
        {
            var keys = state.State.Keys.TryGetValue(IndexKey(entry.NameKana, entry.Birthdate), out var list)
                ? list
                : state.State.Keys[IndexKey(entry.NameKana, entry.Birthdate)] = [];
            if (!keys.Contains(entry.VoterKey))
            {
                keys.Add(entry.VoterKey);
                changed = true;
            }
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    Task<IReadOnlyList<string>> IRegisterLookupGrain.FindAsync(string nameKana, DateOnly birthdate) =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Keys.TryGetValue(IndexKey(nameKana, birthdate), out var keys) ? [.. keys] : []);

    private static string IndexKey(string nameKana, DateOnly birthdate) =>
        $"{birthdate:yyyy-MM-dd}|{RegisterText.NormalizeKana(nameKana)}";
}
