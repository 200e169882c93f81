using Chiyoda.Civic.Grains.Ballots.Storage;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Grains.PaperBallots;
using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>
/// A one-silo test cluster on the real Azurite for paper batches: small chunks (so a few hundred
/// lines make several), and grain storage that can be made to fail, to stop a commit half-way.
/// </summary>
public sealed class PaperClusterFixture : IAsyncLifetime
{
    public const int LinesPerChunk = 50;
    private const string ConnectionStringKey = "PaperTests:StorageConnectionString";

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    private IServiceProvider SiloServices => Cluster.Primary is InProcessSiloHandle silo
        ? silo.SiloHost.Services
        : throw new InvalidOperationException("The test silo is not in process.");

    public TestClock Clock => (TestClock)SiloServices.GetRequiredService<TimeProvider>();

    public StorageFaults Faults => SiloServices.GetRequiredService<StorageFaults>();

    public BallotTable BallotTable => SiloServices.GetRequiredService<BallotTable>();

    /// <summary>Deactivates every idle grain, as the silo would after a while without requests: the next call reads from storage.</summary>
    public Task DeactivateIdleGrainsAsync() => Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = "civic-paper-tests-" + Guid.NewGuid().ToString("N")[..8];
        builder.Properties[ConnectionStringKey] = await Azurite.ConnectionStringAsync();
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connectionString = siloBuilder.Configuration[ConnectionStringKey]!;
            siloBuilder.Services.AddSingleton<TimeProvider>(new TestClock(new DateTimeOffset(2024, 8, 1, 0, 0, 0, TimeSpan.FromHours(9))));
            siloBuilder.Services.Configure<PaperBallotOptions>(o => o.LinesPerChunk = LinesPerChunk);
            siloBuilder.Services.AddSingleton<StorageFaults>();
            siloBuilder.UseSystemTextJsonGrainStorageSerializer();
            siloBuilder.AddAzureTableGrainStorage("civic-azure", options =>
            {
                options.TableName = "CivicGrainState";
                options.TableServiceClient = new TableServiceClient(connectionString);
            });
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.GrainState, (services, _) =>
                new FaultyGrainStorage(services.GetRequiredKeyedService<IGrainStorage>("civic-azure"), services.GetRequiredService<StorageFaults>()));
            siloBuilder.AddCivicBallotStorage(options =>
            {
                options.TableServiceClient = new TableServiceClient(connectionString);
                options.EncryptionKey = BallotSealing.NewKey();
            });
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Ballots, (services, _) =>
                new FaultyGrainStorage(services.GetRequiredService<BallotGrainStorage>(), services.GetRequiredService<StorageFaults>()));
        }
    }
}

/// <summary>When armed, lets a number of commit-outcome writes through and then fails every further one, as a crashed store would.</summary>
public sealed class StorageFaults
{
    private int _allowed = int.MaxValue;
    private int _seen;

    public int Failures { get; private set; }

    public void FailOutcomeWritesAfter(int allowed)
    {
        _seen = 0;
        _allowed = allowed;
    }

    public void Heal() => _allowed = int.MaxValue;

    private string? _failOnce;

    /// <summary>Fails the next write of this one grain (e.g. "ballot/{roundId}:{voterKey}"), once.</summary>
    public void FailNextWriteOf(string grainId) => _failOnce = grainId;

    private string? _failAfterOnce;

    /// <summary>Lets the next write of this one grain reach storage and then fails it, as a lost answer would, once.</summary>
    public void FailAfterNextWriteOf(string grainId) => _failAfterOnce = grainId;

    internal bool ShouldFailAfter(GrainId grainId)
    {
        if (_failAfterOnce is not null && grainId.ToString() == _failAfterOnce)
        {
            _failAfterOnce = null;
            Failures++;
            return true;
        }

        return false;
    }

    internal bool ShouldFail(GrainId grainId, object? state)
    {
        if (_failOnce is not null && grainId.ToString() == _failOnce)
        {
            _failOnce = null;
            Failures++;
            return true;
        }

        if (grainId.Type.ToString() != "paper-chunk" || state is not PaperChunkState chunk || chunk.Outcomes.All(o => o is null))
        {
            return false;
        }

        if (Interlocked.Increment(ref _seen) <= _allowed)
        {
            return false;
        }

        Failures++;
        return true;
    }
}

internal sealed class FaultyGrainStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (faults.ShouldFail(grainId, grainState.State))
        {
            throw new IOException($"Injected storage failure writing {grainId}");
        }

        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (faults.ShouldFailAfter(grainId))
        {
            throw new IOException($"Injected failure after {grainId} was written: the answer is lost");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}

[CollectionDefinition(Name)]
public sealed class PaperClusterCollection : ICollectionFixture<PaperClusterFixture>
{
    public const string Name = "paper-cluster";
}
