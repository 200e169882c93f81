using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Tally;

namespace Chiyoda.Civic.Grains.Tally;

[GenerateSerializer, Alias("civic.tally-shard-state")]
public sealed class TallyShardState
{
    /// <summary>Voter key → "version|channel|choices" (e.g. "3|o|1,4,7"): compact, so a shard of 12,000 voters stays near 300 KB.</summary>
    [Id(0)] public Dictionary<string, string> Contributions { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Reentrant so that contributions arriving while a write is in flight join the next write (group
/// commit): each caller is answered only when the write holding its contribution is stored. All
/// writes go through <see cref="FlushLoopAsync"/>, one at a time, at most one per
/// <see cref="MinimumWriteInterval"/>: the shard's whole map is rewritten each time, so under load
/// fewer, larger batches cost storage far less than many small ones.
/// </summary>
[GrainType("tally-shard"), Reentrant]
public sealed class TallyShardGrain(
    [PersistentState("tally", StorageNames.GrainState)] IPersistentState<TallyShardState> state,
    ILogger<TallyShardGrain> logger) : Grain, ITallyShardGrain
{
    public static readonly TimeSpan MinimumWriteInterval = TimeSpan.FromMilliseconds(100);
    private TallyTotals? _totals;
    private TaskCompletionSource? _nextWrite;
    private Task? _writing;

    Task ITallyShardGrain.ApplyAsync(VoterContribution contribution)
    {
        var known = state.State.Contributions.TryGetValue(contribution.VoterKey, out var stored) ? Parse(stored) : null;
        if (known is null || contribution.Version > known.Value.Version)
        {
            state.State.Contributions[contribution.VoterKey] = Format(contribution);
            _totals = null;
        }

        // Even a repeated contribution waits for a write: it may be the retry of one whose write failed.
        return NextWriteAsync();
    }

    Task<TallyTotals> ITallyShardGrain.GetTotalsAsync() => Task.FromResult(_totals ??= Sum());

    private Task NextWriteAsync()
    {
        _nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = _nextWrite.Task;
        _writing ??= FlushLoopAsync();
        return written;
    }

    private async Task FlushLoopAsync()
    {
        while (_nextWrite is { } batch)
        {
            _nextWrite = null;
            // Pacing is about storage, not the ward's calendar: real time, never the injected clock.
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await state.WriteStateAsync();
                batch.SetResult();
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                if (_nextWrite is not null && elapsed < MinimumWriteInterval)
                {
                    // Let more contributions join the next write.
                    await Task.Delay(MinimumWriteInterval - elapsed);
                }
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Tally shard {Shard}: write failed; its callers will retry", this.GetPrimaryKeyString());
                batch.SetException(e);
                // The stored ETag may no longer match; start afresh from storage on the next call.
                DeactivateOnIdle();
            }
        }

        _writing = null;
    }

    private TallyTotals Sum()
    {
        int online = 0, paper = 0;
        var votes = new Dictionary<int, int>();
        foreach (var value in state.State.Contributions.Values)
        {
            var c = Parse(value)!.Value;
            if (c.Choices.Length == 0)
            {
                continue;
            }

            if (c.Channel == BallotChannel.Paper)
            {
                paper++;
            }
            else
            {
                online++;
            }

            foreach (var choice in c.Choices)
            {
                votes[choice] = votes.GetValueOrDefault(choice) + 1;
            }
        }

        return new TallyTotals(online, paper, votes);
    }

    private static string Format(VoterContribution c) =>
        $"{c.Version}|{(c.Channel == BallotChannel.Paper ? 'p' : 'o')}|{string.Join(',', c.Choices)}";

    private static (int Version, BallotChannel Channel, int[] Choices)? Parse(string value)
    {
        var parts = value.Split('|');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
                parts[1] == "p" ? BallotChannel.Paper : BallotChannel.Online,
                parts[2].Length == 0 ? [] : [.. parts[2].Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]);
    }
}
