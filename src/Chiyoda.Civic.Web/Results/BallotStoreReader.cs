using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Grains.Ballots;
using Chiyoda.Civic.Web.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Chiyoda.Civic.Web.RoundResults;

/// <summary>One voter's stored ballot as the recount sees it: what counts (if anything) and every paper outcome.</summary>
public sealed record StoredBallot(string VoterKey, BallotChannel? Channel, IReadOnlyList<int> Choices, IReadOnlyDictionary<string, PaperResult> PaperOutcomes)
{
    public bool Counted => Channel is not null && Choices.Count > 0;
}

/// <summary>
/// The one place that knows how ballots lie in storage, so the official count can read every stored
/// ballot rather than trust the live tally. Orleans' Azure Table provider writes grain state to table
/// <c>Storage:TableName</c> with PartitionKey <c>{ServiceId}_ballot_{roundId}:{voterKey}</c>, RowKey
/// <c>ballot</c> (the state name) and the state as UTF-8 JSON (System.Text.Json, C# property names) in
/// <c>Data</c>, continued in <c>Data1</c>..<c>Data14</c> when over 64 KB. A range query on the
/// PartitionKey (<c>ge "{svc}_ballot_{roundId}:"</c>, <c>lt "{svc}_ballot_{roundId};"</c>, ';' being the
/// character after ':') reads one round's ballots in pages of 1,000 without touching any grain.
/// If the ballot grain's type name, state name, key or state class changes, this reader changes with it.
/// </summary>
public sealed class BallotStoreReader(IConfiguration configuration, IOptions<ClusterOptions> cluster)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly Lazy<TableClient> _table = new(() =>
    {
        var storage = StorageSettings.From(configuration);
        return storage.CreateTableServiceClient().GetTableClient(storage.TableName);
    });

    public static string PartitionPrefix(string serviceId, string roundId) => $"{serviceId}_ballot_{roundId}:";

    public async Task<IReadOnlyList<StoredBallot>> ReadRoundAsync(string roundId, CancellationToken cancellation = default)
    {
        var prefix = PartitionPrefix(cluster.Value.ServiceId, roundId);
        var upper = prefix[..^1] + ";";
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {upper} and RowKey eq {"ballot"}");
        var ballots = new List<StoredBallot>();
        await foreach (var entity in _table.Value.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellation))
        {
            var data = ReadData(entity);
            if (data.Length == 0)
            {
                continue;
            }

            var state = JsonSerializer.Deserialize<BallotState>(data, Json);
            if (state is null)
            {
                continue;
            }

            var voterKey = entity.PartitionKey[prefix.Length..];
            ballots.Add(state.Paper is { } paper
                ? new StoredBallot(voterKey, BallotChannel.Paper, paper.Choices, state.PaperOutcomes)
                : state.Online is { Choices.Count: > 0 } online
                    ? new StoredBallot(voterKey, BallotChannel.Online, online.Choices, state.PaperOutcomes)
                    : new StoredBallot(voterKey, null, [], state.PaperOutcomes));
        }

        return ballots;
    }

    private static byte[] ReadData(TableEntity entity)
    {
        using var buffer = new MemoryStream();
        foreach (var name in new[] { "Data" }.Concat(Enumerable.Range(1, 14).Select(n => $"Data{n}")))
        {
            switch (entity.TryGetValue(name, out var value) ? value : null)
            {
                case byte[] bytes:
                    buffer.Write(bytes);
                    break;
                case BinaryData binary:
                    buffer.Write(binary.ToArray());
                    break;
                case string base64 when base64.Length > 0:
                    buffer.Write(Convert.FromBase64String(base64));
                    break;
            }
        }

        return buffer.ToArray();
    }
}
