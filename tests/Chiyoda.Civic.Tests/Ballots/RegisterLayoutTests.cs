using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>
/// A round's register shard count is its own, fixed on first use (<see cref="IRegisterLayoutGrain"/>): new rounds spread
/// over 256 shards (room for a city of 1,000,000 voters), a register stored before the layout existed stays in its 64
/// shards and is still found by the ballot grains. Loading files through the platform is RegisterApiTests.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RegisterLayoutTests(ClusterFixture fixture)
{
    private DateOnly Today => WardClock.Today(fixture.Clock);

    private Task<int> ShardCountAsync(string roundId) => fixture.Grains.GetGrain<IRegisterLayoutGrain>(roundId).GetShardCountAsync();

    private async Task<int> CountAsync(string roundId, int shards) =>
        (await Task.WhenAll(RegisterSharding.AllShardKeys(roundId, shards).Select(k => fixture.Grains.GetGrain<IRegisterShardGrain>(k).CountAsync()))).Sum();

    [Fact]
    public async Task A_new_round_spreads_its_register_over_256_shards_and_its_voters_are_found()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        var voters = Enumerable.Range(0, 2_000).Select(i => VotingRounds.Adult($"n{i:0000}", Today)).ToArray();

        await VotingRounds.RegisterAsync(fixture.Grains, roundId, voters);

        Assert.Equal(RegisterSharding.ShardCount, await ShardCountAsync(roundId));
        Assert.Equal(256, RegisterSharding.ShardCount);
        Assert.Equal(2_000, await CountAsync(roundId, RegisterSharding.ShardCount));
        var beyondLegacy = await Task.WhenAll(Enumerable.Range(RegisterSharding.LegacyShardCount, RegisterSharding.ShardCount - RegisterSharding.LegacyShardCount)
            .Select(n => fixture.Grains.GetGrain<IRegisterShardGrain>($"{roundId}:{n}").CountAsync()));
        Assert.True(beyondLegacy.Sum() > 1_000, $"only {beyondLegacy.Sum()} of 2,000 voters in shards 64–255");
        Assert.Equal("n1999", (await (await fixture.Grains.EntryShardAsync(roundId, "n1999")).GetAsync("n1999"))?.VoterKey);
        var cast = await fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:n0007").CastOnlineAsync(new("k1", [1]));
        Assert.True(cast.Accepted, cast.Code);
        var stranger = await fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:n9999").CastOnlineAsync(new("k1", [1]));
        Assert.Equal(BallotErrorCodes.NotOnRegister, stranger.Code);
    }

    [Fact]
    public async Task A_register_stored_in_the_64_legacy_shards_keeps_them_and_its_voters_still_vote()
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        var legacy = Enumerable.Range(0, 300).Select(i => VotingRounds.Adult($"old{i:000}", Today)).ToArray();
        // Stored as the platform stored every register before the per-round layout: 64 shards by voter key.
        foreach (var shard in legacy.GroupBy(e => $"{roundId}:{ShardHash.Shard(e.VoterKey, 64)}"))
        {
            await fixture.Grains.GetGrain<IRegisterShardGrain>(shard.Key).UpsertAsync([.. shard]);
        }

        Assert.Equal(RegisterSharding.LegacyShardCount, await ShardCountAsync(roundId));
        Assert.Equal(300, await CountAsync(roundId, RegisterSharding.LegacyShardCount));
        var cast = await fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:old042").CastOnlineAsync(new("k1", [2]));
        Assert.True(cast.Accepted, cast.Code);

        // Entries added later go into the same 64 shards, beside the old ones.
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, VotingRounds.Adult("new001", Today));
        Assert.Equal(301, await CountAsync(roundId, RegisterSharding.LegacyShardCount));
        Assert.Equal("new001", (await fixture.Grains.GetGrain<IRegisterShardGrain>($"{roundId}:{ShardHash.Shard("new001", 64)}").GetAsync("new001"))?.VoterKey);
        Assert.True((await fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:new001").CastOnlineAsync(new("k1", [3]))).Accepted);
    }
}
