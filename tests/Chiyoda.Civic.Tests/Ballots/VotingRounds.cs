using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>
/// Rounds set up the way the ward runs them: created with the call for proposals open, 7 proposals submitted
/// and screened to the shortlist (<see cref="ScreenedShortlist"/>: p-001..p-007, "提案 n"), then the window opened.
/// </summary>
public static class VotingRounds
{
    /// <summary>
    /// A round whose voting window contains <paramref name="now"/> (or is moved as <paramref name="window"/> says); without
    /// <paramref name="shortlist"/>, nothing is on its ballot (the shortlist never published).
    /// </summary>
    public static async Task<string> OpenAsync(IGrainFactory grains, DateTimeOffset now, int maxVotes = 3, (TimeSpan Opens, TimeSpan Closes)? window = null, bool shortlist = true)
    {
        var roundId = RoundSamples.NewRoundId();
        var round = grains.GetGrain<IRoundGrain>(roundId);
        var callOpen = new RoundSchedule(now.AddDays(-60), now.AddDays(1), now.AddDays(1), now.AddDays(30), now.AddDays(40));
        var definition = new RoundDefinition("投票テスト", "Voting test", callOpen, new RoundRules(maxVotes, 18, 3));
        Assert.True((await round.CreateAsync(definition)).Succeeded);
        if (shortlist)
        {
            await ScreenedShortlist.PublishAsync(grains, roundId);
        }

        var (opens, closes) = window ?? (TimeSpan.FromDays(-1), TimeSpan.FromDays(30));
        var moved = await round.UpdateAsync(definition with { Schedule = callOpen with { CallCloses = now.AddDays(-30), VotingOpens = now + opens, VotingCloses = now + closes } });
        Assert.True(moved.Succeeded, moved.Code);
        return roundId;
    }

    public static async Task RegisterAsync(IGrainFactory grains, string roundId, params RegisterEntry[] entries)
    {
        var shards = await grains.GetGrain<IRegisterLayoutGrain>(roundId).GetShardCountAsync();
        foreach (var shard in entries.GroupBy(e => RegisterSharding.EntryShardKey(roundId, e.VoterKey, shards)))
        {
            await grains.GetGrain<IRegisterShardGrain>(shard.Key).UpsertAsync([.. shard]);
        }
    }

    /// <summary>The round's live count, summed over its tally shards.</summary>
    public static async Task<TallyTotals> LiveTotalsAsync(IGrainFactory grains, string roundId)
    {
        var shards = await Task.WhenAll(TallySharding.AllShardKeys(roundId).Select(k => grains.GetGrain<ITallyShardGrain>(k).GetTotalsAsync()));
        return shards.Aggregate(TallyTotals.Empty, (sum, shard) => sum.Add(shard));
    }

    public static RegisterEntry Adult(string voterKey, DateOnly today) => new(voterKey, "クミン タロウ", today.AddYears(-40), "102-8688");
}
