using Chiyoda.Civic.Abstractions.Common;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Register;

/// <summary>One line of a round's voter register: one person, one voter key.</summary>
[GenerateSerializer, Immutable, Alias("civic.register-entry")]
public sealed record RegisterEntry(
    [property: Id(0)] string VoterKey,
    [property: Id(1)] string NameKana,
    [property: Id(2)] DateOnly Birthdate,
    [property: Id(3)] string Postcode);

[GenerateSerializer, Alias("civic.register-change")]
public enum RegisterChange
{
    Added = 0,
    Updated = 1,
    Unchanged = 2,
}

/// <summary>
/// Where register data lives. Entries are spread over shards by a stable hash of the voter key, so
/// loading a ward's register is a few hundred writes rather than one per voter; the clerks' lookup
/// index is spread by birthdate, so a lookup by name and birthdate asks one shard.
/// <para>
/// The number of shards is the round's own, fixed by <see cref="IRegisterLayoutGrain"/> when the round's register is
/// first needed and never changed afterwards, so a stored register is never moved: rounds whose register was stored
/// before the layout existed keep <see cref="LegacyShardCount"/>, new rounds get <see cref="ShardCount"/>.
/// </para>
/// </summary>
public static class RegisterSharding
{
    /// <summary>
    /// New rounds: 256 shards keep each shard's stored state near 25 KB for a 60,000-voter ward, ~400 KB for
    /// 1,000,000 voters, and under Azure Table's ~960 KB entity limit up to ~2,000,000 voters.
    /// </summary>
    public const int ShardCount = 256;

    /// <summary>The shard count of every register stored before the per-round layout (under the limit up to ~500,000 voters).</summary>
    public const int LegacyShardCount = 64;

    public static string EntryShardKey(string roundId, string voterKey, int shardCount) => $"{roundId}:{ShardHash.Shard(voterKey, shardCount)}";

    public static string LookupShardKey(string roundId, DateOnly birthdate, int shardCount) =>
        $"{roundId}:{ShardHash.Shard(birthdate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), shardCount)}";

    public static IEnumerable<string> AllShardKeys(string roundId, int shardCount) => Enumerable.Range(0, shardCount).Select(n => $"{roundId}:{n}");

    /// <summary>The register shard that holds (or would hold) this voter in this round.</summary>
    public static async Task<IRegisterShardGrain> EntryShardAsync(this IGrainFactory grains, string roundId, string voterKey)
    {
        var shards = await grains.GetGrain<IRegisterLayoutGrain>(roundId).GetShardCountAsync();
        return grains.GetGrain<IRegisterShardGrain>(EntryShardKey(roundId, voterKey, shards));
    }
}

/// <summary>
/// A round's register layout (key: the round id): how many shards its register and lookup index use. Fixed on first
/// use, from what storage already holds (a register stored before the layout existed keeps its 64 shards).
/// </summary>
[Alias("civic.IRegisterLayoutGrain")]
public interface IRegisterLayoutGrain : IGrainWithStringKey
{
    [Alias("shard-count"), ReadOnly]
    Task<int> GetShardCountAsync();
}

/// <summary>One shard of a round's register (key "{roundId}:{shard}").</summary>
[Alias("civic.IRegisterShardGrain")]
public interface IRegisterShardGrain : IGrainWithStringKey
{
    /// <summary>Adds or corrects entries; an identical entry is left as it is (loading a file twice changes nothing).</summary>
    [Alias("upsert")]
    Task<IReadOnlyList<RegisterChange>> UpsertAsync(IReadOnlyList<RegisterEntry> entries);

    [Alias("get"), ReadOnly]
    Task<RegisterEntry?> GetAsync(string voterKey);

    [Alias("count"), ReadOnly]
    Task<int> CountAsync();

    /// <summary>The birthdates of those of these voters who are in this shard (the count's age bands: one call per shard, not per voter).</summary>
    [Alias("birthdates"), ReadOnly]
    Task<IReadOnlyList<DateOnly>> GetBirthdatesAsync(IReadOnlyList<string> voterKeys);
}

/// <summary>Clerks' lookup by kana name and birthdate (key "{roundId}:{shard}", shard by birthdate).</summary>
[Alias("civic.IRegisterLookupGrain")]
public interface IRegisterLookupGrain : IGrainWithStringKey
{
    [Alias("index")]
    Task IndexAsync(IReadOnlyList<RegisterEntry> entries);

    /// <summary>Voter keys indexed under this name and birthdate; callers confirm each against the register, since a corrected entry may leave an old index line.</summary>
    [Alias("find"), ReadOnly]
    Task<IReadOnlyList<string>> FindAsync(string nameKana, DateOnly birthdate);
}
