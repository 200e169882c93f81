using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>One ballot as it lies in table <c>CivicBallots</c>.</summary>
public sealed record StoredBallot(string VoterKey, string PartitionKey, int Version, string Channel, int[] Choices, string? ReceiptCode, int ReceiptVersion);

/// <summary>
/// The recount: every stored ballot of a round read straight from table <c>CivicBallots</c>
/// (docs/architecture.md, "Storage layout": PartitionKey <c>{ServiceId}_{roundId}_{shard:00}</c>, RowKey
/// the voter key, columns Version/Channel/Choices beside the ballot's <c>Data</c>), without the
/// platform's code, so it is an independent check of what the platform says it stored and counted.
/// </summary>
public sealed class BallotRecount
{
    public const string Table = "CivicBallots";

    private BallotRecount(IReadOnlyList<StoredBallot> rows) => Rows = rows;

    /// <summary>Every stored row of the round, in partition order; a voter stored twice would appear twice.</summary>
    public IReadOnlyList<StoredBallot> Rows { get; }

    /// <summary>Stored rows per voter (every voter should have exactly one).</summary>
    public IReadOnlyDictionary<string, StoredBallot[]> ByVoter => Rows.GroupBy(r => r.VoterKey).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    /// <summary>The ballots that add to the count (an empty ballot adds nothing).</summary>
    public IEnumerable<StoredBallot> Counted => Rows.Where(r => r.Choices.Length > 0);

    public int OnlineVoters => Counted.Count(r => r.Channel == "online");

    public int PaperVoters => Counted.Count(r => r.Channel == "paper");

    public SortedDictionary<int, int> VotesByBallotNumber => new(Counted.SelectMany(r => r.Choices).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count()));

    public static async Task<BallotRecount> ReadAsync(LocalCluster cluster, string roundId)
    {
        var table = new TableClient(cluster.StorageConnectionString, Table);
        // Round ids are [a-z0-9-], so "{svc}_{round}_" is this round's prefix and no other's; '`' follows '_'.
        var prefix = $"{cluster.ServiceId}_{roundId}_";
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix[..^1] + "`"}");
        var rows = new List<StoredBallot>();
        var key = SealedBallots.DevelopmentKey();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000))
        {
            // Data and Choices are sealed with the development key (docs/architecture.md, "Storage layout").
            var (code, receiptVersion) = Receipt(SealedBallots.Open(key, entity.GetBinary("Data"), entity.PartitionKey, entity.RowKey, "Data"));
            var choices = entity.GetString("Choices") is { Length: > 0 } sealedChoices ? SealedBallots.OpenText(key, sealedChoices, entity.PartitionKey, entity.RowKey, "Choices") : "";
            rows.Add(new StoredBallot(
                entity.RowKey,
                entity.PartitionKey,
                entity.GetInt32("Version") ?? 0,
                entity.GetString("Channel") ?? "",
                choices.Length > 0 ? [.. choices.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))] : [],
                code,
                receiptVersion));
        }

        return new BallotRecount(rows);
    }

    /// <summary>The shard a voter's ballot must lie in, by the platform's rule (FNV-1a of the key mod 16), to catch a ballot stored under the wrong partition.</summary>
    public static string ExpectedPartition(LocalCluster cluster, string roundId, string voterKey) =>
        $"{cluster.ServiceId}_{roundId}_{int.Parse(TallySharding.ShardKey(roundId, voterKey).Split(':')[1], CultureInfo.InvariantCulture):00}";

    public string Describe() =>
        $"{Rows.Count} stored ballots, {OnlineVoters} online + {PaperVoters} paper voters counted; votes {string.Join(", ", VotesByBallotNumber.Select(v => $"#{v.Key}: {v.Value}"))}";

    /// <summary>
    /// Asserts the live count (the tally shards) equals this recount, voter for voter and ballot number by
    /// ballot number. The shards rescan storage by themselves when membership changes; they are given
    /// <paramref name="settle"/> to do so, then told to rescan (and the figures reported), so a live count
    /// that only a forced rescan would mend is visible in the output.
    /// </summary>
    public async Task AssertLiveCountEqualsAsync(LocalCluster cluster, string roundId, ITestOutputHelper output, TimeSpan settle)
    {
        var grains = await cluster.ClientAsync();
        var deadline = DateTime.UtcNow + settle;
        TallyTotals? live = null;
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                live = await VotingRounds.LiveTotalsAsync(grains, roundId);
                if (Matches(live))
                {
                    output.WriteLine($"live count equals the recount without a forced rescan: {Describe(live)}");
                    return;
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                lastError = e;
            }

            await Task.Delay(500);
        }

        output.WriteLine($"live count after {settle.TotalSeconds:0} s: {(live is null ? "unreadable: " + lastError?.Message : Describe(live))}; recount: {Describe()}; forcing a rescan");
        live = null;
        for (var attempt = 0; live is null; attempt++)
        {
            try
            {
                await Task.WhenAll(TallySharding.AllShardKeys(roundId).Select(k => grains.GetGrain<ITallyShardGrain>(k).RescanAsync()));
                live = await VotingRounds.LiveTotalsAsync(grains, roundId);
            }
            catch (Exception e) when (attempt < 20 && e is not Xunit.Sdk.XunitException)
            {
                await Task.Delay(1000);
            }
        }

        Assert.True(Matches(live), $"live count {Describe(live)} differs from the recount {Describe()} even after a rescan");
        output.WriteLine("live count equals the recount after a forced rescan");
    }

    private bool Matches(TallyTotals live) =>
        live.OnlineVoters == OnlineVoters && live.PaperVoters == PaperVoters &&
        new SortedDictionary<int, int>(live.VotesByBallotNumber.Where(v => v.Value != 0).ToDictionary()).SequenceEqual(VotesByBallotNumber);

    private static string Describe(TallyTotals live) =>
        $"{live.OnlineVoters} online + {live.PaperVoters} paper voters; votes {string.Join(", ", live.VotesByBallotNumber.OrderBy(v => v.Key).Select(v => $"#{v.Key}: {v.Value}"))}";

    /// <summary>The online receipt inside the stored ballot state (JSON from the silo's System.Text.Json grain-storage serializer).</summary>
    private static (string? Code, int Version) Receipt(byte[]? data)
    {
        if (data is not { Length: > 0 })
        {
            return (null, 0);
        }

        using var json = JsonDocument.Parse(data);
        return Property(json.RootElement, "Online") is { ValueKind: JsonValueKind.Object } online
            ? (Property(online, "Code")?.GetString(), Property(online, "Version")?.GetInt32() ?? 0)
            : (null, 0);
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
