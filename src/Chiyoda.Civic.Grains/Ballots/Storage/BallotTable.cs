using Azure;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Tally;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace Chiyoda.Civic.Grains.Ballots.Storage;

/// <summary>Where ballots are stored and how many may share one batch transaction.</summary>
public sealed class BallotStorageOptions
{
    /// <summary>Required: the table service (Azurite, or an account reached by key or managed identity).</summary>
    public TableServiceClient? TableServiceClient { get; set; }

    /// <summary>
    /// Optional: the client for the long reads (the count's stored ballots, tally shards' scans). The ballot client
    /// fails fast (a voter waits on it: 5 s a request), but a 1,000-row page of a large round read 16 partitions at
    /// once took longer than that on a loaded Azurite (200,000 ballots, docs/performance.md). Unset: <see cref="TableServiceClient"/>.
    /// </summary>
    public TableServiceClient? ReadTableServiceClient { get; set; }

    public string TableName { get; set; } = "CivicBallots";

    /// <summary>Azure Table's limit for one batch transaction is 100 entities and 4 MB.</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>
    /// Batch transactions this silo has in flight at once, across all partitions. While they are all
    /// out, the other partitions' writes wait and then go together: under load fewer, fuller
    /// transactions (less work per ballot for storage, fewer billed transactions); under light load a
    /// write still goes at once. Four transactions of up to 100 ballots in flight, each taking some
    /// 20 ms in Azure, carry up to 20,000 ballots/s per silo, an account's whole target.
    /// </summary>
    public int TransactionsInFlight { get; set; } = 4;

    /// <summary>
    /// Whole partitions this silo reads at once (of <see cref="TallySharding.ShardCount"/> per round): the official
    /// count's reads and the live tally shards' first scans share it. Azure serves each partition up to ~2,000
    /// entities/s, so all 16 at once is the count's read ceiling; Azurite (one thread) gained 2.5× from 1 to 16 on the
    /// benchmark machine at 200,000 ballots, but at 1,000,000 it cannot answer 16 page queries at once within the storage
    /// client's time-out (docs/performance.md), hence a setting.
    /// </summary>
    public int ReadParallelism { get; set; } = TallySharding.ShardCount;

    /// <summary>
    /// Required: the 32-byte key that seals each ballot's choices at rest (<see cref="BallotSealing"/>). Production
    /// reads it from <c>Ballots:EncryptionKey</c> (a Key Vault secret); development from a local key file.
    /// </summary>
    public byte[]? EncryptionKey { get; set; }
}

/// <summary>
/// The one place that knows how ballots lie in storage. Table <see cref="BallotStorageOptions.TableName"/>,
/// PartitionKey <c>{ServiceId}_{roundId}_{shard:00}</c> (shard = FNV-1a of the voter key mod
/// <see cref="TallySharding.ShardCount"/>, the same shard as the voter's live tally), RowKey the voter key.
/// Columns: <c>Data</c> (the ballot state, serialized by the silo's grain-storage serializer: UTF-8 JSON)
/// and, beside it, what the ballot adds to the count — <c>Version</c>, <c>Channel</c> ("online", "kiosk", "paper"
/// or empty) and <c>Choices</c> ("1,4,7") — so a tally shard can rebuild its count from storage without
/// reading whole ballots. <c>Data</c> and <c>Choices</c> are sealed with the application's key
/// (<see cref="BallotSealing"/>): a reader of the table sees who has a ballot, its version and channel, never the
/// choices. Sixteen partitions per round allow 16 × 2,000 entities/s under Azure's
/// per-partition target, more than one storage account's 20,000/s.
/// </summary>
public sealed class BallotTable(IOptions<BallotStorageOptions> options, IOptions<ClusterOptions> cluster, IGrainStorageSerializer serializer)
{
    public const string DataColumn = "Data";
    public const string VersionColumn = "Version";
    public const string ChannelColumn = "Channel";
    public const string ChoicesColumn = "Choices";

    /// <summary>Azure Table's limit for one binary property; a ballot is a few KB, so only a pathological one comes near.</summary>
    public const int MaxDataBytes = 64 * 1024;

    /// <summary>Admits <see cref="BallotStorageOptions.ReadParallelism"/> whole-partition reads at a time, whoever asks.</summary>
    private readonly SemaphoreSlim _partitionReads = new(Math.Clamp(options.Value.ReadParallelism, 1, TallySharding.ShardCount));

    private readonly BallotSealing _sealing = new(options.Value.EncryptionKey
        ?? throw new InvalidOperationException("Ballot storage needs BallotStorageOptions.EncryptionKey (Ballots:EncryptionKey)."));

    private readonly SemaphoreSlim _creating = new(1, 1);
    private TableClient? _client;
    private TableClient? _readClient;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, BallotPartitionWriter> _writers = new(StringComparer.Ordinal);

    private SemaphoreSlim? _transactionSlots;
    private int _inFlight;
    private int _peakInFlight;

    private long _transactions;
    private long _entitiesWritten;

    /// <summary>
    /// The table, created on first use. A failure (storage down at that moment) is not remembered: the
    /// next call tries again, so a silo that started during an outage recovers with storage.
    /// </summary>
    public async Task<TableClient> ClientAsync()
    {
        if (Volatile.Read(ref _client) is { } ready)
        {
            return ready;
        }

        await _creating.WaitAsync();
        try
        {
            if (_client is null)
            {
                var service = options.Value.TableServiceClient
                    ?? throw new InvalidOperationException("Ballot storage needs BallotStorageOptions.TableServiceClient.");
                var table = service.GetTableClient(options.Value.TableName);
                await table.CreateIfNotExistsAsync();
                Volatile.Write(ref _client, table);
            }

            return _client;
        }
        finally
        {
            _creating.Release();
        }
    }

    /// <summary>The table through the client for long reads (<see cref="BallotStorageOptions.ReadTableServiceClient"/>).</summary>
    private async Task<TableClient> ReadClientAsync()
    {
        var table = await ClientAsync();
        return options.Value.ReadTableServiceClient is { } reader
            ? LazyInitializer.EnsureInitialized(ref _readClient, () => reader.GetTableClient(table.Name))
            : table;
    }

    /// <summary>
    /// Waits for one of the silo's transaction slots (<see cref="BallotStorageOptions.TransactionsInFlight"/>),
    /// shared by all partitions' writers; disposing the slot frees it.
    /// </summary>
    internal async Task<IDisposable> TransactionSlotAsync()
    {
        var slots = LazyInitializer.EnsureInitialized(ref _transactionSlots, () => new SemaphoreSlim(Math.Max(1, options.Value.TransactionsInFlight)));
        await slots.WaitAsync();
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var peak = Volatile.Read(ref _peakInFlight); inFlight > peak; peak = Volatile.Read(ref _peakInFlight))
        {
            if (Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak) == peak)
            {
                break;
            }
        }

        return new Slot(this, slots);
    }

    /// <summary>The most batch transactions this silo has had in flight at once.</summary>
    public int PeakTransactionsInFlight => Volatile.Read(ref _peakInFlight);

    private sealed class Slot(BallotTable table, SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref table._inFlight);
                slots.Release();
            }
        }
    }

    /// <summary>Batch transactions stored by this silo and the ballots they held: their ratio is what group commit saves.</summary>
    public (long Transactions, long Ballots) WriteStatistics => (Interlocked.Read(ref _transactions), Interlocked.Read(ref _entitiesWritten));

    internal void Committed(int ballots)
    {
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _entitiesWritten, ballots);
    }

    public string PartitionKey(string roundId, int shard) => $"{cluster.Value.ServiceId}_{roundId}_{shard:00}";

    /// <summary>The partition and row of the ballot grain with key "{roundId}:{voterKey}".</summary>
    public (string PartitionKey, string RowKey) Locate(string ballotKey)
    {
        var separator = ballotKey.IndexOf(':', StringComparison.Ordinal);
        var roundId = ballotKey[..separator];
        var voterKey = ballotKey[(separator + 1)..];
        return (PartitionKey(roundId, ShardHash.Shard(voterKey, TallySharding.ShardCount)), voterKey);
    }

    /// <summary>The writer that groups this partition's writes into batch transactions (one per partition per silo).</summary>
    internal BallotPartitionWriter Writer(string partitionKey) =>
        _writers.GetOrAdd(partitionKey, key => new BallotPartitionWriter(this, key, options.Value.MaxBatchSize));

    public TableEntity ToEntity(string partitionKey, string rowKey, BallotState state)
    {
        var data = serializer.Serialize(state).ToArray();
        if (data.Length > MaxDataBytes)
        {
            throw new InvalidOperationException($"Ballot {partitionKey}/{rowKey} is {data.Length} bytes, over the {MaxDataBytes}-byte limit of one table property.");
        }

        var counted = state.Contribution(rowKey);
        return new TableEntity(partitionKey, rowKey)
        {
            [DataColumn] = _sealing.Seal(data, partitionKey, rowKey, DataColumn),
            [VersionColumn] = counted.Version,
            [ChannelColumn] = counted.Choices.Count == 0 ? "" : BallotChannels.Name(counted.Channel),
            [ChoicesColumn] = _sealing.SealText(string.Join(',', counted.Choices), partitionKey, rowKey, ChoicesColumn),
        };
    }

    public BallotState FromEntity(TableEntity entity) =>
        entity.GetBinary(DataColumn) is { Length: > 0 } data
            ? serializer.Deserialize<BallotState>(BinaryData.FromBytes(_sealing.Open(data, entity.PartitionKey, entity.RowKey, DataColumn))) ?? new BallotState()
            : new BallotState();

    private IReadOnlyList<int> Choices(TableEntity entity) =>
        entity.GetString(ChoicesColumn) is { Length: > 0 } sealedChoices
        && _sealing.OpenText(sealedChoices, entity.PartitionKey, entity.RowKey, ChoicesColumn) is { Length: > 0 } choices
            ? [.. choices.Split(',').Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture))]
            : [];

    /// <summary>One ballot as stored, or null if there is none.</summary>
    public async Task<(BallotState State, ETag ETag)?> ReadAsync(string partitionKey, string rowKey, CancellationToken cancellation = default)
    {
        var table = await ClientAsync();
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, ["PartitionKey", "RowKey", DataColumn], cancellation);
        return found.HasValue ? (FromEntity(found.Value!), found.Value!.ETag) : null;
    }

    /// <summary>What every stored ballot of one tally shard adds to the count, read from the small columns only.</summary>
    public async IAsyncEnumerable<VoterContribution> ReadContributionsAsync(string roundId, int shard, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var table = await ReadClientAsync();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(roundId, shard)}");
        await _partitionReads.WaitAsync(cancellation);
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey", VersionColumn, ChannelColumn, ChoicesColumn], cancellationToken: cancellation))
            {
                yield return new VoterContribution(
                    entity.RowKey,
                    entity.GetInt32(VersionColumn) ?? 0,
                    Choices(entity),
                    BallotChannels.Parse(entity.GetString(ChannelColumn)));
            }
        }
        finally
        {
            _partitionReads.Release();
        }
    }

    /// <summary>Deletes every stored ballot of a round (the purge after certification), in batch transactions; answers how many went.</summary>
    public async Task<int> DeleteRoundAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await ClientAsync();
        var removed = 0;
        for (var shard = 0; shard < TallySharding.ShardCount; shard++)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(roundId, shard)}");
            var rows = new List<TableEntity>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellation))
            {
                rows.Add(entity);
            }

            foreach (var batch in rows.Chunk(options.Value.MaxBatchSize))
            {
                await table.SubmitTransactionAsync([.. batch.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All))], cancellation);
                removed += batch.Length;
            }
        }

        return removed;
    }

    /// <summary>
    /// Every stored ballot of a round, whole (for the official count): the shards' partitions are read
    /// <see cref="BallotStorageOptions.ReadParallelism"/> at a time (with any tally shard's scan) (each a query of 1,000 rows a page, only the key and
    /// <c>Data</c> columns), and each ballot is opened and mapped by <paramref name="select"/> on the reading task, so
    /// unsealing and JSON spread over the cores while other partitions wait on storage. Order is not defined.
    /// </summary>
    public async Task<IReadOnlyList<T>> ReadRoundAsync<T>(string roundId, Func<string, BallotState, T> select, CancellationToken cancellation = default)
    {
        var table = await ReadClientAsync();
        var shards = new List<T>[TallySharding.ShardCount];
        await Task.WhenAll(Enumerable.Range(0, TallySharding.ShardCount).Select(async shard =>
        {
            await _partitionReads.WaitAsync(cancellation);
            try
            {
                var rows = new List<T>();
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(roundId, shard)}");
                await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey", DataColumn], cancellationToken: cancellation))
                {
                    rows.Add(select(entity.RowKey, FromEntity(entity)));
                }

                shards[shard] = rows;
            }
            finally
            {
                _partitionReads.Release();
            }
        }));

        var all = new List<T>(shards.Sum(s => s.Count));
        foreach (var rows in shards)
        {
            all.AddRange(rows);
        }

        return all;
    }
}
