namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// A hash that is the same in every process and release (string.GetHashCode is randomised per
/// process), for placing keys on shards that are stored.
/// </summary>
public static class ShardHash
{
    public static uint Fnv1a(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    public static int Shard(string value, int shardCount) => (int)(Fnv1a(value) % (uint)shardCount);
}
