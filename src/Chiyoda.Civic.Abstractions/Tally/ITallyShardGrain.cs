using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Tally;

/// <summary>
/// What one voter's ballot adds to the count now: the counted choices and their channel, at a version
/// that only grows. Setting it again at the same or an older version has no effect, so a retry
/// never counts anything twice. No choices means the voter adds nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.voter-contribution")]
public sealed record VoterContribution(
    [property: Id(0)] string VoterKey,
    [property: Id(1)] int Version,
    [property: Id(2)] IReadOnlyList<int> Choices,
    [property: Id(3)] BallotChannel Channel);

/// <summary>Totals of a round (or of one shard of it): voters by channel and votes per ballot number.</summary>
[GenerateSerializer, Immutable, Alias("civic.tally-totals")]
public sealed record TallyTotals(
    [property: Id(0)] int OnlineVoters,
    [property: Id(1)] int PaperVoters,
    [property: Id(2)] IReadOnlyDictionary<int, int> VotesByBallotNumber,
    [property: Id(3)] int KioskVoters = 0)
{
    public static TallyTotals Empty { get; } = new(0, 0, new Dictionary<int, int>());

    public int Voters => OnlineVoters + PaperVoters + KioskVoters;

    public int Votes => VotesByBallotNumber.Values.Sum();

    public TallyTotals Add(TallyTotals other)
    {
        var votes = new Dictionary<int, int>(VotesByBallotNumber);
        foreach (var (number, count) in other.VotesByBallotNumber)
        {
            votes[number] = votes.GetValueOrDefault(number) + count;
        }

        return new(OnlineVoters + other.OnlineVoters, PaperVoters + other.PaperVoters, votes, KioskVoters + other.KioskVoters);
    }
}

/// <summary>
/// One shard of a round's live count (key "{roundId}:{shard}"). Voters are spread over shards by a
/// stable hash of their key, so no single grain is hot. The stored ballots are the durable record: a
/// shard rebuilds its count from the ballots stored in its partition, and each ballot grain sets its
/// voter's contribution once the ballot is stored, so the totals are the sum over the stored ballots.
/// </summary>
[Alias("civic.ITallyShardGrain")]
public interface ITallyShardGrain : IGrainWithStringKey
{
    /// <summary>Sets one voter's contribution (ignored if the shard already has this version or a later one).</summary>
    [Alias("apply")]
    Task ApplyAsync(VoterContribution contribution);

    [Alias("totals"), ReadOnly]
    Task<TallyTotals> GetTotalsAsync();

    /// <summary>Reads every stored ballot of the shard again and merges what it finds (for operators, and after faults).</summary>
    [Alias("rescan")]
    Task RescanAsync();
}

public static class TallySharding
{
    public const int ShardCount = 16;

    public static string ShardKey(string roundId, string voterKey) => $"{roundId}:{ShardHash.Shard(voterKey, ShardCount)}";

    public static IEnumerable<string> AllShardKeys(string roundId) => Enumerable.Range(0, ShardCount).Select(n => $"{roundId}:{n}");
}
