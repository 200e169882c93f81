using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;

namespace Chiyoda.Civic.Grains.PaperBallots;

[GenerateSerializer, Alias("civic.paper-chunk-state")]
public sealed class PaperChunkState
{
    /// <summary>Each line as a short array of its fields (see <see cref="PaperChunkGrain.Encode"/>): ~50 bytes of JSON a line.</summary>
    [Id(0)] public List<string?[]> Lines { get; set; } = [];

    /// <summary>"outcome" or "outcome|reason" by position; null until the commit decides the line.</summary>
    [Id(1)] public List<string?> Outcomes { get; set; } = [];
}

/// <summary>Up to 2,000 lines of a keying or of a commit, and the outcome of each once the commit decides it.</summary>
[GrainType("paper-chunk")]
public sealed class PaperChunkGrain(
    [PersistentState("paper-chunk", StorageNames.GrainState)] IPersistentState<PaperChunkState> state) : Grain, IPaperChunkGrain
{
    async Task IPaperChunkGrain.WriteAsync(IReadOnlyList<PaperLine> lines)
    {
        state.State.Lines = [.. lines.Select(Encode)];
        state.State.Outcomes = [.. lines.Select(_ => (string?)null)];
        await state.WriteStateAsync();
    }

    Task<PaperChunk> IPaperChunkGrain.ReadAsync() => Task.FromResult(new PaperChunk(
        [.. state.State.Lines.Select(Decode)],
        [.. state.State.Outcomes.Select(o => o is null ? null : DecodeOutcome(o))]));

    async Task IPaperChunkGrain.RecordOutcomesAsync(IReadOnlyList<(int Index, PaperLineOutcome Outcome)> outcomes)
    {
        var before = new List<string?>(state.State.Outcomes);
        var changed = false;
        foreach (var (index, outcome) in outcomes)
        {
            if (index >= 0 && index < state.State.Outcomes.Count && state.State.Outcomes[index] is null)
            {
                state.State.Outcomes[index] = outcome.Reason is null ? outcome.Outcome : $"{outcome.Outcome}|{outcome.Reason}";
                changed = true;
            }
        }

        if (!changed)
        {
            return;
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not decided: the commit's retry must find these lines undecided.
            state.State.Outcomes = before;
            DeactivateOnIdle();
            throw;
        }
    }

    async Task IPaperChunkGrain.ScrubChoicesAsync()
    {
        if (state.State.Lines.All(l => l.Length <= ChoicesField || l[ChoicesField] is null))
        {
            return;
        }

        foreach (var line in state.State.Lines)
        {
            line[ChoicesField] = null;
        }

        await state.WriteStateAsync();
    }

    private const int ChoicesField = 5;

    public static string?[] Encode(PaperLine l) =>
        [l.Line.ToString(CultureInfo.InvariantCulture), l.Serial, l.Facility, l.CastDate, l.VoterKey, l.Choices, l.Unreadable ? "1" : null, l.Malformed, l.Status, l.Reason];

    public static PaperLine Decode(string?[] f) => new(
        int.Parse(f[0]!, CultureInfo.InvariantCulture), f[1] ?? "", f[2] ?? "", f[3] ?? "", f[4] ?? "", f[5] ?? "",
        f[6] == "1", f[7], f[8] ?? PaperLineStatuses.AcceptedForCommit, f[9]);

    private static PaperLineOutcome DecodeOutcome(string value) => value.Split('|', 2) switch
    {
        [var outcome, var reason] => new PaperLineOutcome(outcome, reason),
        [var outcome] => new PaperLineOutcome(outcome),
        _ => new PaperLineOutcome(value),
    };
}
