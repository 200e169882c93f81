using Chiyoda.Civic.Abstractions.Tally;

namespace Chiyoda.Civic.Web.Tally;

/// <summary>The live count of a round, summed over its shards.</summary>
public sealed class TallyService(IGrainFactory grains)
{
    public async Task<TallyTotals> GetLiveTotalsAsync(string roundId)
    {
        var shards = await Task.WhenAll(TallySharding.AllShardKeys(roundId).Select(k => grains.GetGrain<ITallyShardGrain>(k).GetTotalsAsync()));
        return shards.Aggregate(TallyTotals.Empty, (sum, shard) => sum.Add(shard));
    }
}
