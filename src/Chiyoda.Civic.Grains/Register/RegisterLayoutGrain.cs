using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;

namespace Chiyoda.Civic.Grains.Register;

[GenerateSerializer, Alias("civic.register-layout-state")]
public sealed class RegisterLayoutState
{
    /// <summary>0 until fixed; then the round's register shard count for good.</summary>
    [Id(0)] public int ShardCount { get; set; }
}

/// <summary>
/// Fixes a round's register shard count the first time anyone needs it (the first load, or a lookup), and keeps it.
/// A round whose register was stored before this grain existed has entries in the legacy 64 shards and no layout:
/// it is found there and keeps 64, so no stored register moves. Every other round gets <see cref="RegisterSharding.ShardCount"/>.
/// </summary>
[GrainType("register-layout")]
public sealed class RegisterLayoutGrain(
    [PersistentState("layout", StorageNames.GrainState)] IPersistentState<RegisterLayoutState> state) : Grain, IRegisterLayoutGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.ShardCount > 0)
        {
            return;
        }

        var roundId = this.GetPrimaryKeyString();
        var legacy = await Task.WhenAll(RegisterSharding.AllShardKeys(roundId, RegisterSharding.LegacyShardCount)
            .Select(key => GrainFactory.GetGrain<IRegisterShardGrain>(key).CountAsync()));
        state.State.ShardCount = legacy.Any(count => count > 0) ? RegisterSharding.LegacyShardCount : RegisterSharding.ShardCount;
        await state.WriteStateAsync(cancellationToken);
    }

    Task<int> IRegisterLayoutGrain.GetShardCountAsync() => Task.FromResult(state.State.ShardCount);
}
