using Chiyoda.Civic.Grains.Ballots.Storage;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// An Orleans test cluster whose grain state goes to the real Azurite, through the same provider
/// the platform uses. The clock (a <see cref="TestClock"/>) runs, and the tests push it forward.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string ConnectionStringKey = "CivicTests:StorageConnectionString";
    public const string ServiceIdKey = "CivicTests:ServiceId";

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public string ServiceId { get; } = "civic-tests-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The clock of the (single, in-process) silo.</summary>
    public TestClock Clock => Cluster.Primary is InProcessSiloHandle silo
        ? (TestClock)silo.SiloHost.Services.GetRequiredService<TimeProvider>()
        : throw new InvalidOperationException("The test silo is not in process.");

    public async Task InitializeAsync() => Cluster = await StartClusterAsync(ServiceId);

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>A cluster of one silo storing under the given service id; two clusters with one id share their stored state.</summary>
    public static async Task<TestCluster> StartClusterAsync(string serviceId)
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Properties[ConnectionStringKey] = await Azurite.ConnectionStringAsync();
        builder.AddSiloBuilderConfigurator<AzuriteStorageConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class AzuriteStorageConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connectionString = siloBuilder.Configuration[ConnectionStringKey]!;
            siloBuilder.Services.AddSingleton<TimeProvider>(new TestClock(new DateTimeOffset(2024, 8, 1, 0, 0, 0, TimeSpan.FromHours(9))));
            siloBuilder.UseSystemTextJsonGrainStorageSerializer();
            siloBuilder.AddAzureTableGrainStorage(StorageNames.GrainState, options =>
            {
                options.TableName = "CivicGrainState";
                options.TableServiceClient = new TableServiceClient(connectionString);
            });
            siloBuilder.AddCivicBallotStorage(options =>
            {
                options.TableServiceClient = new TableServiceClient(connectionString);
                options.EncryptionKey = BallotSealing.NewKey();
            });
            siloBuilder.UseAzureTableReminderService(options => options.TableServiceClient = new TableServiceClient(connectionString));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
