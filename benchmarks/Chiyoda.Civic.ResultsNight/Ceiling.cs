using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Tally;

namespace Chiyoda.Civic.ResultsNight;

/// <summary>
/// The storage's read ceiling as a function of the table's size. The count reads each tally partition of a round with
/// 1,000-entity pages. Azure Table storage finds a partition by its key; Azurite (LokiTableMetadataStore.queryTableEntities)
/// answers every page by testing the query against every entity of the table, then sorting what is left of the partition
/// after the continuation, on its one Node.js thread. So on the emulator the cost of a page grows with the whole table
/// (all rounds' ballots), and reading a partition gets slower the more the table holds: at a million ballots the read is
/// no longer the 50,000-ballot rate times twenty. This grows one table step by step, with entities of a sealed ballot's
/// size in <see cref="TallySharding.ShardCount"/> partitions, and after each step times reading one whole partition as
/// the count does; the last column is what reading all of them at that rate would take.
/// </summary>
public static class Ceiling
{
    private const int PageSize = 1000;

    public static async Task<int> RunAsync(string storage, int[] sizes)
    {
        var partitions = TallySharding.ShardCount;
        var table = new TableServiceClient(storage).GetTableClient("Ceiling" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        await table.CreateIfNotExistsAsync();
        // A sealed ballot's Data column is a few hundred bytes of base64; the scan's cost is per entity, not per byte.
        var data = Convert.ToBase64String(RandomNumberGenerator.GetBytes(300));
        Console.WriteLine($"# Azurite read ceiling by table size  {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}; {Environment.ProcessorCount} cores; {partitions} partitions, pages of {PageSize:N0}");
        Console.WriteLine($"{"table rows",12} {"write s",8} {"partition rows",15} {"pages",6} {"read s",8} {"ms/page",8} {"entities/s",11} {"all partitions s",17}  load");
        var stored = 0;
        foreach (var size in sizes.Where(s => s > 0).Order())
        {
            var writing = Stopwatch.StartNew();
            var batches = Enumerable.Range(stored, size - stored)
                .GroupBy(i => i % partitions)
                .SelectMany(partition => partition.Chunk(100).Select(rows => (Partition: partition.Key, Rows: rows)));
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (batch, cancellation) =>
                await table.SubmitTransactionAsync(batch.Rows.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                    new TableEntity(PartitionOf(batch.Partition), $"v{i:0000000}") { ["Data"] = data })), cancellation));
            var written = writing.Elapsed.TotalSeconds;
            stored = size;

            var reading = Stopwatch.StartNew();
            var read = 0;
            var pages = 0;
            await foreach (var page in table.QueryAsync<TableEntity>($"PartitionKey eq '{PartitionOf(0)}'", PageSize, ["PartitionKey", "RowKey", "Data"]).AsPages())
            {
                pages++;
                read += page.Values.Count;
            }

            var seconds = reading.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size,12:N0} {written,8:N1} {read,15:N0} {pages,6} {seconds,8:N1} {seconds * 1000 / pages,8:N0} {read / seconds,11:N0} {seconds * partitions,17:N0}  {LoadAverage()}"));
        }

        await table.DeleteAsync();
        return 0;
    }

    private static string PartitionOf(int shard) => $"ceiling-{shard:00}";

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
