using Azure;
using Azure.Data.Tables;
using Orleans.Storage;

namespace Chiyoda.Civic.Grains.Ballots.Storage;

/// <summary>
/// Group commit for one table partition. Writes queue while the previous transaction is in flight
/// and then go together, up to <see cref="_maxBatchSize"/> entities, in one Azure Table batch
/// transaction (all or nothing). Each caller is answered only from the outcome of the transaction that
/// held its write: success with the new ETag, or the failure. Under light load a write goes alone at
/// once; under heavy load the batches grow by themselves, so storage requests grow far slower than
/// ballots. Transactions in flight are also capped per silo across partitions
/// (<see cref="BallotStorageOptions.TransactionsInFlight"/>), so batches fill up under load rather than
/// one small transaction going per partition.
/// </summary>
internal sealed class BallotPartitionWriter(BallotTable table, string partitionKey, int maxBatchSize)
{
    /// <summary>Azure's limit is 4 MB per transaction; stay well below it, whatever the entities' sizes.</summary>
    private const int MaxBatchBytes = 3 * 1024 * 1024;

    private readonly int _maxBatchSize = Math.Clamp(maxBatchSize, 1, 100);
    private readonly object _gate = new();
    private readonly List<PendingWrite> _pending = [];
    private bool _committing;

    public string PartitionKey => partitionKey;

    /// <summary>
    /// Stores the entity: inserted if <paramref name="etag"/> is null (fails if it already exists), else
    /// replaced only if storage still holds that ETag. Returns the stored ETag once durable.
    /// </summary>
    public Task<ETag> WriteAsync(TableEntity entity, ETag? etag)
    {
        var write = new PendingWrite(entity, etag, (entity.GetBinary(BallotTable.DataColumn)?.Length ?? 0) + 512);
        lock (_gate)
        {
            _pending.Add(write);
            if (!_committing)
            {
                _committing = true;
                // Off the grain's scheduler: the loop serves every grain of this partition on this silo.
                _ = Task.Run(CommitLoopAsync);
            }
        }

        return write.Stored.Task;
    }

    private async Task CommitLoopAsync()
    {
        while (true)
        {
            // The batch is taken only once a transaction slot is free, so writes that arrive meanwhile join it.
            using (await table.TransactionSlotAsync())
            {
                List<PendingWrite> batch;
                lock (_gate)
                {
                    if (_pending.Count == 0)
                    {
                        _committing = false;
                        return;
                    }

                    batch = TakeBatch();
                }

                await CommitAsync(batch);
            }
        }
    }

    /// <summary>Oldest first, at most one write per row (a transaction may touch an entity only once), within the count and size limits.</summary>
    private List<PendingWrite> TakeBatch()
    {
        var batch = new List<PendingWrite>(Math.Min(_pending.Count, _maxBatchSize));
        var rows = new HashSet<string>(StringComparer.Ordinal);
        var bytes = 0;
        for (var i = 0; i < _pending.Count && batch.Count < _maxBatchSize; i++)
        {
            var write = _pending[i];
            if (batch.Count > 0 && bytes + write.Bytes > MaxBatchBytes)
            {
                break;
            }

            if (rows.Add(write.Entity.RowKey))
            {
                batch.Add(write);
                bytes += write.Bytes;
            }
        }

        foreach (var write in batch)
        {
            _pending.Remove(write);
        }

        return batch;
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        while (batch.Count > 0)
        {
            try
            {
                var client = await table.ClientAsync();
                var response = await client.SubmitTransactionAsync(batch.Select(w => w.Action()));
                table.Committed(batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Stored.TrySetResult(response.Value[i].Headers.ETag ?? ETag.All);
                }

                return;
            }
            catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex is int index && index >= 0 && index < batch.Count)
            {
                // Nothing of the transaction was stored. The one write storage refused is answered with
                // the refusal; the others were fine and go again without it.
                batch[index].Stored.TrySetException(Refusal(batch[index], e));
                batch.RemoveAt(index);
            }
            catch (RequestFailedException e) when (batch.Count > 1 && e.Status is 409 or 412)
            {
                // A refusal that does not say which write: find it by committing them one by one.
                foreach (var write in batch)
                {
                    await CommitAsync([write]);
                }

                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                batch[0].Stored.TrySetException(Refusal(batch[0], e));
                return;
            }
            catch (Exception e)
            {
                // Unknown fate (timeout, outage): no caller is told its ballot is stored. A write that did
                // land is found again by the caller's retry (its insert or ETag no longer matches).
                foreach (var write in batch)
                {
                    write.Stored.TrySetException(e);
                }

                return;
            }
        }
    }

    private static InconsistentStateException Refusal(PendingWrite write, RequestFailedException e) => new(
        write.ETag is null
            ? $"Ballot {write.Entity.PartitionKey}/{write.Entity.RowKey} already exists in storage (status {e.Status})."
            : $"Ballot {write.Entity.PartitionKey}/{write.Entity.RowKey} was changed in storage since it was read (status {e.Status}).",
        null!,
        write.ETag?.ToString() ?? "",
        e);

    private sealed record PendingWrite(TableEntity Entity, ETag? ETag, int Bytes)
    {
        public TaskCompletionSource<ETag> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TableTransactionAction Action() => ETag is { } etag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity, etag)
            : new TableTransactionAction(TableTransactionActionType.Add, Entity);
    }
}
