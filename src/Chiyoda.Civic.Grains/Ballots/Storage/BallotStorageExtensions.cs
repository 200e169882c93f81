using Chiyoda.Civic.Abstractions.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Chiyoda.Civic.Grains.Ballots.Storage;

public static class BallotStorageExtensions
{
    /// <summary>Ballot grains' storage (<see cref="StorageNames.Ballots"/>): group commit into Azure Table batch transactions.</summary>
    public static ISiloBuilder AddCivicBallotStorage(this ISiloBuilder silo, Action<BallotStorageOptions> configure)
    {
        silo.Services.Configure(configure);
        silo.Services.AddSingleton<BallotTable>();
        silo.Services.AddSingleton<BallotGrainStorage>();
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Ballots, (services, _) => services.GetRequiredService<BallotGrainStorage>());
        return silo;
    }
}
