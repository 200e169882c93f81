using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;

namespace Chiyoda.Civic.Grains.PaperBallots;

[GenerateSerializer, Alias("civic.paper-round-state")]
public sealed class PaperRoundState
{
    [Id(0)] public List<PaperFacility> Facilities { get; set; } = [];

    /// <summary>One summary per batch (~300 bytes): a ward runs a few hundred boxes a round, far below the entity cap.</summary>
    [Id(1)] public Dictionary<string, PaperBatchSummary> Batches { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A round's paper channel: its facilities and the list of its batches (each batch owns its own details).</summary>
[GrainType("paper-round")]
public sealed class PaperRoundGrain(
    [PersistentState("paper-round", StorageNames.GrainState)] IPersistentState<PaperRoundState> state) : Grain, IPaperRoundGrain
{
    async Task IPaperRoundGrain.SetFacilitiesAsync(IReadOnlyList<PaperFacility> facilities)
    {
        state.State.Facilities = [.. facilities];
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<PaperFacility>> IPaperRoundGrain.GetFacilitiesAsync() =>
        Task.FromResult<IReadOnlyList<PaperFacility>>([.. state.State.Facilities]);

    async Task IPaperRoundGrain.RecordBatchAsync(PaperBatchSummary summary)
    {
        if (state.State.Batches.TryGetValue(summary.BatchId, out var known) && (known == summary || known.UpdatedAt > summary.UpdatedAt))
        {
            return;
        }

        state.State.Batches[summary.BatchId] = summary;
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<PaperBatchSummary>> IPaperRoundGrain.ListBatchesAsync() =>
        Task.FromResult<IReadOnlyList<PaperBatchSummary>>([.. state.State.Batches.Values.OrderBy(b => b.OpenedAt).ThenBy(b => b.BatchId, StringComparer.Ordinal)]);
}
