using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Grains.Ballots.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Grains.Tally;

/// <summary>
/// One shard of a round's live count, kept in memory and rebuilt from the stored ballots. The stored
/// ballots are the only durable record: the shard writes nothing, so counting costs storage nothing
/// while the vote runs. On activation it reads what every ballot of its partition adds (small columns
/// only); ballot grains then set each voter's contribution as they store it. Contributions merge by
/// version (the highest wins), so a scan and live contributions may arrive in any order and a retry
/// never counts twice. A contribution lost with a silo that died between storing a ballot and telling
/// the shard is found again by a rescan, which runs whenever the cluster's membership changes.
/// The first scan runs behind the activation, not in it: a partition of a million-voter round takes longer than
/// Orleans' activation time-out, and an activation that timed out would start the scan again from nothing. Totals
/// wait for it; a caller whose call timed out meanwhile asks again and finds the scan further on.
/// </summary>
[GrainType("tally-shard"), Reentrant]
public sealed class TallyShardGrain(
    BallotTable ballots,
    IClusterMembershipService membership,
    ILogger<TallyShardGrain> logger) : Grain, ITallyShardGrain
{
    /// <summary>How often the shard looks for a change of membership (a silo gone) that may have lost a contribution.</summary>
    public static readonly TimeSpan MembershipCheckInterval = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Counted> _contributions = new(StringComparer.Ordinal);
    private TallyTotals? _totals;
    private MembershipVersion _scannedAt;
    private Task? _firstScan;

    private string _roundId = "";
    private int _shard;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Key "{roundId}:{shard}"; a round id has no ':' but split at the last one all the same.
        var key = this.GetPrimaryKeyString();
        var separator = key.LastIndexOf(':');
        _roundId = key[..separator];
        _shard = int.Parse(key[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _firstScan = ScanAsync(CancellationToken.None);
        this.RegisterGrainTimer(RescanIfMembershipChangedAsync, new GrainTimerCreationOptions(MembershipCheckInterval, MembershipCheckInterval) { Interleave = true });
        return Task.CompletedTask;
    }

    /// <summary>The first scan, started again if it failed (storage down at activation).</summary>
    private Task FirstScanAsync()
    {
        if (_firstScan is null or { IsFaulted: true } or { IsCanceled: true })
        {
            _firstScan = ScanAsync(CancellationToken.None);
        }

        return _firstScan;
    }

    Task ITallyShardGrain.ApplyAsync(VoterContribution contribution)
    {
        Merge(contribution);
        return Task.CompletedTask;
    }

    async Task<TallyTotals> ITallyShardGrain.GetTotalsAsync()
    {
        await FirstScanAsync();
        return _totals ??= Sum();
    }

    Task ITallyShardGrain.RescanAsync() => ScanAsync(CancellationToken.None);

    private async Task RescanIfMembershipChangedAsync(CancellationToken cancellation)
    {
        if (_firstScan is not { IsCompletedSuccessfully: true })
        {
            // Still scanning (nothing to add), or the first scan failed: try it again now rather than at the next read.
            if (_firstScan is { IsCompleted: true })
            {
                await FirstScanAsync();
            }

            return;
        }

        if (membership.CurrentSnapshot.Version != _scannedAt)
        {
            logger.LogInformation("Tally shard {Shard}: cluster membership changed; recounting its stored ballots", this.GetPrimaryKeyString());
            await ScanAsync(cancellation);
        }
    }

    private async Task ScanAsync(CancellationToken cancellation)
    {
        var version = membership.CurrentSnapshot.Version;
        await foreach (var contribution in ballots.ReadContributionsAsync(_roundId, _shard, cancellation))
        {
            Merge(contribution);
        }

        _scannedAt = version;
    }

    private void Merge(VoterContribution contribution)
    {
        if (_contributions.TryGetValue(contribution.VoterKey, out var known) && known.Version >= contribution.Version)
        {
            return;
        }

        _contributions[contribution.VoterKey] = new Counted(contribution.Version, contribution.Channel, [.. contribution.Choices]);
        _totals = null;
    }

    private TallyTotals Sum() => CountingRules.Totals(_contributions.Values.Select(c => ((BallotChannel?)c.Channel, (IReadOnlyCollection<int>)c.Choices)));

    private readonly record struct Counted(int Version, BallotChannel Channel, int[] Choices);
}
