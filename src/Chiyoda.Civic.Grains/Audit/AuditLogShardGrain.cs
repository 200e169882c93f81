using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Grains.Audit;

[GenerateSerializer, Alias("civic.audit-shard-state")]
public sealed class AuditShardState
{
    [Id(0)] public List<AuditEntry> Entries { get; set; } = [];
}

/// <summary>
/// One of a round's 32 audit shards. Append-only: there is no method that edits or removes an
/// entry. An entry id already present is ignored, so a retried command is logged once.
/// </summary>
[GrainType("audit-shard")]
public sealed class AuditLogShardGrain(
    [PersistentState("audit", StorageNames.GrainState)] IPersistentState<AuditShardState> state) : Grain, IAuditLogShardGrain
{
    async Task IAuditLogShardGrain.AppendAsync(AuditEntry entry)
    {
        if (state.State.Entries.Any(e => e.EntryId == entry.EntryId))
        {
            return;
        }

        // Refusing (the staff command then fails and is retried later) is better than dropping an entry.
        if (state.State.Entries.Count >= GrainAuditLog.ShardCapacity)
        {
            throw new InvalidOperationException($"Audit shard {this.GetPrimaryKeyString()} is full ({GrainAuditLog.ShardCapacity} entries).");
        }

        state.State.Entries.Add(entry.Bounded());
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<AuditEntry>> IAuditLogShardGrain.ListAsync() =>
        Task.FromResult<IReadOnlyList<AuditEntry>>([.. state.State.Entries]);
}
