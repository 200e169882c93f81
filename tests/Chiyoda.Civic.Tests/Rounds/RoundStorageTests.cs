using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Rounds;

/// <summary>Round state lives in Azure Table storage (a real Azurite), not in the silo's memory.</summary>
public sealed class RoundStorageTests
{
    [Fact]
    public async Task A_round_survives_the_silo_being_stopped_and_a_new_one_started()
    {
        var serviceId = "civic-restart-" + Guid.NewGuid().ToString("N")[..8];
        var roundId = RoundSamples.NewRoundId();
        RoundSnapshot written;

        var first = await ClusterFixture.StartClusterAsync(serviceId);
        try
        {
            written = (await first.GrainFactory.GetGrain<IRoundGrain>(roundId).CreateAsync(RoundSamples.Ward2024())).Value!;
        }
        finally
        {
            await first.StopAllSilosAsync();
            await first.DisposeAsync();
        }

        var second = await ClusterFixture.StartClusterAsync(serviceId);
        try
        {
            var read = await second.GrainFactory.GetGrain<IRoundGrain>(roundId).GetAsync();
            Assert.Equal(written, read);
            var listed = await second.GrainFactory.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey).ListAsync();
            Assert.Contains(listed, r => r.RoundId == roundId);
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Round_state_is_stored_as_json_in_the_grain_state_table()
    {
        var serviceId = "civic-json-" + Guid.NewGuid().ToString("N")[..8];
        var roundId = RoundSamples.NewRoundId();
        var cluster = await ClusterFixture.StartClusterAsync(serviceId);
        try
        {
            await cluster.GrainFactory.GetGrain<IRoundGrain>(roundId).CreateAsync(RoundSamples.Ward2024());
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        // Layout (docs/architecture.md): PartitionKey "{serviceId}_{grain type}_{key}", RowKey the state name,
        // the state itself as System.Text.Json UTF-8 in the Data column.
        var table = new TableClient(await Azurite.ConnectionStringAsync(), "CivicGrainState");
        var entity = (await table.GetEntityAsync<TableEntity>($"{serviceId}_round_{roundId}", "round")).Value;
        using var json = System.Text.Json.JsonDocument.Parse(entity.GetBinary("Data"));
        Assert.Equal("デジタル活用提案制度 2024年度", json.RootElement.GetProperty("Definition").GetProperty("Name").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("Version").GetInt32());
    }
}
