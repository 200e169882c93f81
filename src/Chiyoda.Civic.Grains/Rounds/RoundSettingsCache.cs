using System.Collections.Concurrent;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Grains.Rounds;

/// <summary>What a ballot needs to know about its round.</summary>
public sealed record RoundSettings(RoundSchedule Schedule, RoundRules Rules, Shortlist? Shortlist);

/// <summary>
/// Each silo keeps its rounds' settings for <see cref="Freshness"/>, so casting ballots does not queue
/// every request on the one round grain. An administrator's change to the window therefore reaches
/// every ballot within two seconds.
/// </summary>
public sealed class RoundSettingsCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, (DateTimeOffset Fetched, Task<RoundSettings?> Settings)> _rounds = new(StringComparer.Ordinal);

    public Task<RoundSettings?> GetAsync(string roundId)
    {
        var now = time.GetUtcNow();
        if (_rounds.TryGetValue(roundId, out var cached) && now - cached.Fetched < Freshness && !cached.Settings.IsFaulted)
        {
            return cached.Settings;
        }

        var fetching = FetchAsync(roundId);
        _rounds[roundId] = (now, fetching);
        return fetching;
    }

    private async Task<RoundSettings?> FetchAsync(string roundId)
    {
        var round = grains.GetGrain<IRoundGrain>(roundId);
        var snapshot = await round.GetAsync();
        return snapshot is null ? null : new RoundSettings(snapshot.Definition.Schedule, snapshot.Definition.Rules, await round.GetShortlistAsync());
    }
}
