using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Microsoft.Extensions.Logging;

namespace Chiyoda.Civic.Grains.Audit;

[GenerateSerializer, Alias("civic.audit-chain-state")]
public sealed class AuditChainState
{
    /// <summary>Entries in the chain; the next entry's seq. Storing it is what commits an entry.</summary>
    [Id(0)] public long Count { get; set; }

    /// <summary>SHA-256 of the last entry's line (the genesis digest while empty).</summary>
    [Id(1)] public string HeadSha256 { get; set; } = AuditCsv.Genesis;

    /// <summary>Committed entries whose ids may not be in the index yet (an outbox): indexed before anything else.</summary>
    [Id(2)] public List<AuditIndexItem> Unindexed { get; set; } = [];
}

/// <summary>
/// The audit log of one round as a hash chain. Non-reentrant: entries get their seq and previous digest one
/// at a time, so the log has one order. An append (1) writes the entry into its segment at seq = Count, (2)
/// stores Count + 1 and the new head with the id in <see cref="AuditChainState.Unindexed"/> (the commit), then
/// (3) records the id in the index. A crash before (2) leaves an uncommitted slot that the next append
/// overwrites and readers ignore; a crash before (3) is repaired by the next call, which indexes first.
/// So a retried entry is found (index or outbox) and never appended twice. State: ~100 bytes.
/// </summary>
[GrainType("audit-chain")]
public sealed class AuditChainGrain(
    [PersistentState("audit-chain", StorageNames.GrainState)] IPersistentState<AuditChainState> state,
    ILogger<AuditChainGrain> logger) : Grain, IAuditChainGrain
{
    private string RoundId => this.GetPrimaryKeyString();

    async Task<AuditLink> IAuditChainGrain.AppendAsync(AuditEntry entry)
    {
        entry = entry.Bounded();
        await IndexPendingAsync();
        if (await Index(entry.EntryId).FindAsync(entry.EntryId) is { } known)
        {
            return await LinkAsync(known);
        }

        var chained = new ChainedAuditEntry(state.State.Count, entry, state.State.HeadSha256);
        await Segment(chained.Seq).PutAsync(chained);
        var sha = chained.Sha256;
        state.State.Count++;
        state.State.HeadSha256 = sha;
        state.State.Unindexed.Add(new AuditIndexItem(entry.EntryId, chained.Seq));
        await state.WriteStateAsync();

        try
        {
            await IndexPendingAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The entry is committed; its id stays in the outbox and is indexed before the next append.
            logger.LogWarning(e, "Audit chain {Round}: entry {Seq} not indexed yet", RoundId, chained.Seq);
        }

        return new AuditLink(chained.Seq, sha);
    }

    Task<AuditHead> IAuditChainGrain.HeadAsync() => Task.FromResult(new AuditHead(state.State.Count, state.State.HeadSha256));

    async Task<IReadOnlyList<ChainedAuditEntry>> IAuditChainGrain.ReadAsync(long fromSeq, int take)
    {
        var from = Math.Max(0, fromSeq);
        var to = Math.Min(state.State.Count, from + Math.Max(0, take));
        if (to <= from)
        {
            return [];
        }

        const int capacity = IAuditChainGrain.SegmentCapacity;
        var first = from / capacity;
        var segments = await Task.WhenAll(Enumerable.Range(0, (int)((to - 1) / capacity - first + 1))
            .Select(n => Segment((first + n) * capacity).ListAsync()));
        // Slots at or beyond Count were never committed (a crash between the segment write and the commit).
        return [.. segments.SelectMany(s => s).Where(e => e.Seq >= from && e.Seq < to).OrderBy(e => e.Seq)];
    }

    private async Task<AuditLink> LinkAsync(long seq)
    {
        var stored = (await Segment(seq).ListAsync()).Single(e => e.Seq == seq);
        return new AuditLink(seq, stored.Sha256);
    }

    private async Task IndexPendingAsync()
    {
        if (state.State.Unindexed.Count == 0)
        {
            return;
        }

        var pending = state.State.Unindexed.ToList();
        await Task.WhenAll(pending.GroupBy(i => IndexKey(i.EntryId)).Select(g => GrainFactory.GetGrain<IAuditIndexGrain>(g.Key).AddAsync([.. g])));
        // Not written now: the list is stored empty with the next commit; until then a reactivation indexes these again, harmlessly.
        state.State.Unindexed.RemoveAll(pending.Contains);
    }

    private IAuditIndexGrain Index(string entryId) => GrainFactory.GetGrain<IAuditIndexGrain>(IndexKey(entryId));

    private string IndexKey(string entryId) => $"{RoundId}:{ShardHash.Shard(entryId, IAuditIndexGrain.ShardCount):D2}";

    private IAuditSegmentGrain Segment(long seq) => GrainFactory.GetGrain<IAuditSegmentGrain>($"{RoundId}:{seq / IAuditChainGrain.SegmentCapacity}");
}

[GenerateSerializer, Alias("civic.audit-segment-state")]
public sealed class AuditSegmentState
{
    [Id(0)] public List<ChainedAuditEntry> Entries { get; set; } = [];
}

/// <summary>
/// At most 100 consecutive entries of a chain: ≤ ~6 KB an entry in the worst case (every bounded field full of
/// non-ASCII text, which the JSON serializer writes as \uXXXX), so ≤ ~600 KB, below Azure Table's ~960 KB entity;
/// typically ~40 KB. Putting a seq again replaces that slot: only uncommitted slots are ever written twice.
/// </summary>
[GrainType("audit-segment")]
public sealed class AuditSegmentGrain(
    [PersistentState("audit-segment", StorageNames.GrainState)] IPersistentState<AuditSegmentState> state) : Grain, IAuditSegmentGrain
{
    async Task IAuditSegmentGrain.PutAsync(ChainedAuditEntry entry)
    {
        var entries = state.State.Entries;
        if (entries.Any(e => e == entry))
        {
            return;
        }

        entries.RemoveAll(e => e.Seq == entry.Seq);
        entries.Add(entry);
        entries.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<ChainedAuditEntry>> IAuditSegmentGrain.ListAsync() => Task.FromResult<IReadOnlyList<ChainedAuditEntry>>([.. state.State.Entries]);
}

[GenerateSerializer, Alias("civic.audit-index-state")]
public sealed class AuditIndexState
{
    [Id(0)] public Dictionary<string, long> Seqs { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Entry id → seq for the ids that hash to this shard: ~60 bytes an entry, ~200 KB per shard at 100,000 entries a round.</summary>
[GrainType("audit-index")]
public sealed class AuditIndexGrain(
    [PersistentState("audit-index", StorageNames.GrainState)] IPersistentState<AuditIndexState> state) : Grain, IAuditIndexGrain
{
    Task<long?> IAuditIndexGrain.FindAsync(string entryId) =>
        Task.FromResult(state.State.Seqs.TryGetValue(entryId, out var seq) ? seq : (long?)null);

    async Task IAuditIndexGrain.AddAsync(IReadOnlyList<AuditIndexItem> items)
    {
        var added = false;
        foreach (var item in items)
        {
            added |= state.State.Seqs.TryAdd(item.EntryId, item.Seq);
        }

        if (added)
        {
            await state.WriteStateAsync();
        }
    }
}
