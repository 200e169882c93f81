using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;

namespace Chiyoda.Civic.Grains.PaperBallots;

[GenerateSerializer, Alias("civic.paper-serial-state")]
public sealed class PaperSerialState
{
    /// <summary>Serial → the batch that recorded it.</summary>
    [Id(0)] public Dictionary<string, string> Owners { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One shard of a round's serial registry. Non-reentrant, so two batches that carry the same serial
/// and commit at the same moment cannot both claim it: the first claim wins, the other is told who holds it.
/// </summary>
[GrainType("paper-serials")]
public sealed class PaperSerialRegistryGrain(
    [PersistentState("paper-serials", StorageNames.GrainState)] IPersistentState<PaperSerialState> state) : Grain, IPaperSerialRegistryGrain
{
    async Task<IReadOnlyList<string?>> IPaperSerialRegistryGrain.ClaimAsync(string batchId, IReadOnlyList<string> serials)
    {
        var owners = new string?[serials.Count];
        var changed = false;
        for (var i = 0; i < serials.Count; i++)
        {
            if (state.State.Owners.TryGetValue(serials[i], out var owner))
            {
                owners[i] = owner == batchId ? null : owner;
            }
            else
            {
                state.State.Owners[serials[i]] = batchId;
                changed = true;
            }
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }

        return owners;
    }

    Task<IReadOnlyList<string?>> IPaperSerialRegistryGrain.FindAsync(IReadOnlyList<string> serials) =>
        Task.FromResult<IReadOnlyList<string?>>([.. serials.Select(s => state.State.Owners.GetValueOrDefault(s))]);
}
