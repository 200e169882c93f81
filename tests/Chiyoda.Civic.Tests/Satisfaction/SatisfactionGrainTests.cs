using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Satisfaction;

[Collection(ClusterCollection.Name)]
public sealed class SatisfactionGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_shard_keeps_counts_and_comments_only_and_the_marks_keep_each_person_once()
    {
        var roundId = "sat-" + Guid.NewGuid().ToString("N")[..10];
        var shard = fixture.Grains.GetGrain<ISatisfactionShardGrain>($"{roundId}:0");
        var day = new DateOnly(2024, 9, 20);
        for (var i = 0; i < 12; i++)
        {
            await shard.AddAsync(new SatisfactionAnswer(i % 2 == 0 ? 5 : 4, i == 3 ? "  わかりやすい\r\n投票 " : null, day,
                i < 8 ? SatisfactionSource.AfterVoting : SatisfactionSource.Results));
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => shard.AddAsync(new SatisfactionAnswer(0, null, day, SatisfactionSource.Results)));

        var tally = await shard.GetAsync();
        Assert.Equal([0, 0, 0, 6, 6], tally.Counts);
        Assert.Equal(8, tally.AfterVoting);
        Assert.Equal(4, tally.Results);
        var comment = Assert.Single(tally.Comments);
        Assert.Equal(new SatisfactionComment(4, "わかりやすい  投票", day, SatisfactionSource.AfterVoting), comment);

        // Twelve answers are fewer than 30: nothing of them is published.
        Assert.Equal(SatisfactionSummary.NotPublished(30), SatisfactionSummary.From(SatisfactionTally.Sum([tally, SatisfactionTally.Empty]), 30));

        var marks = fixture.Grains.GetGrain<ISatisfactionRatersGrain>(SatisfactionRules.RaterShardKey(roundId, "abc"));
        Assert.False(await marks.HasRatedAsync("abc"));
        Assert.True(await marks.MarkAsync("abc"));
        Assert.False(await marks.MarkAsync("abc"));
        Assert.True(await marks.HasRatedAsync("abc"));
        Assert.True(await marks.MarkAsync("abd"));
    }

    [Fact]
    public async Task The_published_snapshot_is_first_taken_at_thirty_answers_and_then_moves_only_in_steps_of_thirty()
    {
        var roundId = "snap-" + Guid.NewGuid().ToString("N")[..10];
        var snapshot = fixture.Grains.GetGrain<ISatisfactionSnapshotGrain>(roundId);
        var day = new DateOnly(2024, 9, 20);
        async Task<bool> AnswerAsync(int n, bool voter)
        {
            await fixture.Grains.GetGrain<ISatisfactionShardGrain>($"{roundId}:{n % SatisfactionRules.ShardCount}")
                .AddAsync(new SatisfactionAnswer(n % 5 + 1, null, day, voter ? SatisfactionSource.AfterVoting : SatisfactionSource.Results, voter));
            return await snapshot.RefreshAsync();
        }

        for (var n = 0; n < 29; n++)
        {
            Assert.False(await AnswerAsync(n, voter: n % 3 != 0));
        }

        Assert.Equal(0, (await snapshot.GetAsync()).Total);
        Assert.True(await AnswerAsync(29, voter: true));
        var first = await snapshot.GetAsync();
        Assert.Equal(30, first.Total);
        Assert.Empty(first.Comments);
        var published = SatisfactionSummary.From(first, 30);
        Assert.Equal((true, (int?)30), (published.Published, published.Count));
        Assert.Equal([6, 6, 6, 6, 6], published.Distribution!);

        // One more answer, or twenty-nine: the published counts stay exactly as they were, so no difference between two
        // readings stands for fewer than 30 answers.
        for (var n = 30; n < 59; n++)
        {
            Assert.False(await AnswerAsync(n, voter: false));
            var same = await snapshot.GetAsync();
            Assert.Equal(first.Counts, same.Counts);
            Assert.Equal(first.NonVoters, same.NonVoters);
        }

        Assert.True(await AnswerAsync(59, voter: false));
        var second = await snapshot.GetAsync();
        Assert.Equal(60, second.Total);
        Assert.Equal((int?)60, SatisfactionSummary.From(second, 30).Count);
    }

    [Fact]
    public async Task A_change_of_the_status_path_is_audited_in_the_wards_log_once()
    {
        var directory = fixture.Grains.GetGrain<IImplementationDirectoryGrain>(IImplementationDirectoryGrain.WardKey);
        var admin = new Actor("admin", "管理者", IsAdministrator: true);
        var original = await directory.GetPathAsync();
        var renamed = new ImplementationPath([.. original.Statuses.Select(s => s.Id == "evaluated" ? s with { NameEn = "Effects evaluated " + Guid.NewGuid().ToString("N")[..6] } : s)]);
        var log = new GrainAuditLog(fixture.Grains);
        var before = (await log.ListAsync(WardAudit.ChainKey, 0, 500, "implementation.path")).Total;

        Assert.Equal(ImplementationErrorCodes.NotAllowed, (await directory.SetPathAsync(new Actor("department", "所管課", IsDepartment: true), renamed)).Code);
        Assert.Equal(ImplementationErrorCodes.InvalidPath, (await directory.SetPathAsync(admin, new ImplementationPath([.. renamed.Statuses.Skip(1)]))).Code);
        try
        {
            Assert.Null((await directory.SetPathAsync(admin, renamed)).Code);
            Assert.Null((await directory.SetPathAsync(admin, renamed)).Code); // the same path again changes nothing and adds no entry
            var page = await log.ListAsync(WardAudit.ChainKey, 0, 500, "implementation.path");
            Assert.Equal(before + 1, page.Total);
            var entry = page.Entries[0];
            Assert.Equal("admin", entry.ActorSub);
            Assert.Equal($"evaluated 効果検証 / {original.Find("evaluated")!.NameEn}", entry.Before);
            Assert.Equal($"evaluated 効果検証 / {renamed.Find("evaluated")!.NameEn}", entry.After);
            Assert.Equal(renamed.Statuses, (await directory.GetPathAsync()).Statuses);
        }
        finally
        {
            Assert.Null((await directory.SetPathAsync(admin, original)).Code);
        }

        Assert.Equal(before + 2, (await log.ListAsync(WardAudit.ChainKey, 0, 500, "implementation.path")).Total);
    }
}
