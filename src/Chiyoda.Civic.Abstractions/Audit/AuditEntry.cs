using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Audit;

/// <summary>
/// One staff action, as it stands in the append-only audit log. <see cref="EntryId"/> is chosen by
/// the caller and deterministic (derived from the command), so a retried command appends nothing twice.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.audit-entry")]
public sealed record AuditEntry(
    [property: Id(0)] string EntryId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string ActorSub,
    [property: Id(3)] string ActorName,
    [property: Id(4)] string Action,
    [property: Id(5)] string Subject,
    [property: Id(6)] string? Before,
    [property: Id(7)] string? After)
{
    public const int ValueMaxLength = 200;

    /// <summary>Keeps every entry small (the log is sized by entry count); long values are cut, never refused.</summary>
    public AuditEntry Bounded() => this with
    {
        EntryId = Cut(EntryId, 200)!,
        ActorSub = Cut(ActorSub, 100)!,
        ActorName = Cut(ActorName, 100)!,
        Action = Cut(Action, 60)!,
        Subject = Cut(Subject, 120)!,
        Before = Cut(Before, ValueMaxLength),
        After = Cut(After, ValueMaxLength),
    };

    private static string? Cut(string? value, int max) => value is null || value.Length <= max ? value : value[..(max - 1)] + "…";
}

/// <summary>A page of the log, newest first.</summary>
[GenerateSerializer, Immutable, Alias("civic.audit-page")]
public sealed record AuditPage(
    [property: Id(0)] IReadOnlyList<AuditEntry> Entries,
    [property: Id(1)] int Total);

/// <summary>
/// The append-only audit log of a round. The one write is <see cref="AppendAsync"/>; there is no edit
/// or delete anywhere. Appending an entry whose id is already there does nothing (retries are safe).
/// </summary>
public interface IAuditLog
{
    Task AppendAsync(string roundId, AuditEntry entry);

    /// <summary>Entries newest first; <paramref name="action"/> filters by action prefix (e.g. "proposal.").</summary>
    Task<AuditPage> ListAsync(string roundId, int skip, int take, string? action = null, string? subject = null);
}

/// <summary>One shard of a round's audit log (key <c>{roundId}:{shard}</c>, shard = stable hash of the entry id).</summary>
[Alias("civic.IAuditLogShardGrain")]
public interface IAuditLogShardGrain : IGrainWithStringKey
{
    [Alias("append")]
    Task AppendAsync(AuditEntry entry);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<AuditEntry>> ListAsync();
}

/// <summary>Reaches a round's audit shards through grains; usable from grains (pass GrainFactory) and from web services.</summary>
public sealed class GrainAuditLog(IGrainFactory grains) : IAuditLog
{
    /// <summary>
    /// Fixed forever: an entry's shard is derived from its id, and a retried entry must land on the
    /// shard that holds its first copy. 32 shards of at most <see cref="ShardCapacity"/> entries.
    /// </summary>
    public const int ShardCount = 32;
    public const int ShardCapacity = 2000;

    public static string ShardKey(string roundId, int shard) => $"{roundId}:{shard:D2}";

    public Task AppendAsync(string roundId, AuditEntry entry) =>
        grains.GetGrain<IAuditLogShardGrain>(ShardKey(roundId, Common.ShardHash.Shard(entry.EntryId, ShardCount))).AppendAsync(entry.Bounded());

    public async Task<AuditPage> ListAsync(string roundId, int skip, int take, string? action = null, string? subject = null)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, ShardCount)
            .Select(s => grains.GetGrain<IAuditLogShardGrain>(ShardKey(roundId, s)).ListAsync()));
        var all = shards.SelectMany(s => s)
            .Where(e => string.IsNullOrEmpty(action) || e.Action.StartsWith(action, StringComparison.Ordinal))
            .Where(e => string.IsNullOrEmpty(subject) || e.Subject.Contains(subject, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(e => e.At).ThenByDescending(e => e.EntryId, StringComparer.Ordinal)
            .ToList();
        return new AuditPage([.. all.Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 500))], all.Count);
    }
}
