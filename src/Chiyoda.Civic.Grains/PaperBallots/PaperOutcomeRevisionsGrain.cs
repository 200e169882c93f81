using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;

namespace Chiyoda.Civic.Grains.PaperBallots;

[GenerateSerializer, Alias("civic.paper-outcome-revisions-state")]
public sealed class PaperOutcomeRevisionsState
{
    [Id(0)] public int Version { get; set; }

    /// <summary>Serial → its outcome as it now stands. Only serials whose outcome changed after their batch committed them.</summary>
    [Id(1)] public Dictionary<string, PaperOutcomeRevision> BySerial { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The outcome changes of one batch's committed lines. Written by voters' ballot grains, read by the batch;
/// it calls no other grain, so it can never take part in a wait cycle with a batch commit.
/// </summary>
[GrainType("paper-outcome-revisions")]
public sealed class PaperOutcomeRevisionsGrain(
    [PersistentState("paper-outcome-revisions", StorageNames.GrainState)] IPersistentState<PaperOutcomeRevisionsState> state) : Grain, IPaperOutcomeRevisionsGrain
{
    async Task IPaperOutcomeRevisionsGrain.RecordAsync(IReadOnlyList<PaperOutcomeRevision> revisions)
    {
        var changed = false;
        foreach (var revision in revisions)
        {
            if (state.State.BySerial.TryGetValue(revision.Serial, out var known) && known.Version >= revision.Version)
            {
                continue;
            }

            state.State.BySerial[revision.Serial] = revision;
            changed = true;
        }

        if (changed)
        {
            state.State.Version++;
            await state.WriteStateAsync();
        }
    }

    Task<PaperOutcomeRevisions> IPaperOutcomeRevisionsGrain.GetAsync() =>
        Task.FromResult(new PaperOutcomeRevisions(state.State.Version, new Dictionary<string, PaperOutcomeRevision>(state.State.BySerial, StringComparer.Ordinal)));
}
