using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Grains.Rounds;

[GenerateSerializer, Alias("civic.round-directory-state")]
public sealed class RoundDirectoryState
{
    [Id(0)] public Dictionary<string, RoundSummary> Rounds { get; set; } = [];
}

/// <summary>
/// The list of a ward's rounds. A ward holds one round a year, so the list stays tiny
/// (far below Azure Table's entity size limit) for centuries.
/// </summary>
[GrainType("round-directory")]
public sealed class RoundDirectoryGrain(
    [PersistentState("rounds", StorageNames.GrainState)] IPersistentState<RoundDirectoryState> state) : Grain, IRoundDirectoryGrain
{
    async Task IRoundDirectoryGrain.RegisterAsync(RoundSummary round)
    {
        if (state.State.Rounds.TryGetValue(round.RoundId, out var known) && known == round)
        {
            return;
        }

        state.State.Rounds[round.RoundId] = round;
        await state.WriteStateAsync();
    }

    Task<bool> IRoundDirectoryGrain.ContainsAsync(string roundId) => Task.FromResult(state.State.Rounds.ContainsKey(roundId));

    Task<IReadOnlyList<RoundSummary>> IRoundDirectoryGrain.ListAsync() =>
        Task.FromResult<IReadOnlyList<RoundSummary>>(
            [.. state.State.Rounds.Values.OrderByDescending(r => r.Schedule.CallOpens).ThenBy(r => r.RoundId, StringComparer.Ordinal)]);
}
