using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Tests.Ballots;
using static Chiyoda.Civic.Tests.PaperBallots.PaperBatches;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>A commit stopped half-way by a storage failure resumes on retry and counts nothing twice.</summary>
[Collection(PaperClusterCollection.Name)]
public sealed class PaperCommitResumeTests(PaperClusterFixture fixture)
{
    [Fact]
    public async Task A_commit_interrupted_after_two_chunks_resumes_on_retry_without_counting_anything_twice()
    {
        var grains = fixture.Grains;
        var today = WardClock.Today(fixture.Clock);
        var voters = Enumerable.Range(1, 230).Select(n => $"cv{n:000}").ToArray();
        var roundId = await VotingRounds.OpenAsync(grains, fixture.Clock.GetUtcNow());
        await VotingRounds.RegisterAsync(grains, roundId, [.. voters.Select(v => VotingRounds.Adult(v, today))]);
        await ListFacilityAsync(grains, roundId);
        var batch = await OpenAsync(grains, roundId, "b-crash", voters.Length, today);
        await DoubleKeyAsync(batch, [.. voters.Select((v, i) => Line(i + 2, $"C-{i:0000}", today.ToString("yyyy-MM-dd"), v, (i % 7 + 1).ToString()))]);

        fixture.Faults.FailOutcomeWritesAfter(2);
        PaperBatchView stopped;
        try
        {
            Assert.True((await batch.CommitAsync("admin", "管理者", null)).Succeeded);
            stopped = await WaitAsync(batch);
        }
        finally
        {
            fixture.Faults.Heal();
        }

        Assert.Equal(PaperBatchStatuses.Committing, stopped.Summary.Status);
        Assert.NotNull(stopped.Commit!.LastError);
        Assert.Equal(2, stopped.Commit.ChunksApplied);
        Assert.True(fixture.Faults.Failures >= 1);
        var midway = await LiveTotalsAsync(grains, roundId);
        Assert.InRange(midway.PaperVoters, 2 * PaperClusterFixture.LinesPerChunk, 3 * PaperClusterFixture.LinesPerChunk);

        var resumed = await batch.CommitAsync("admin", "管理者", null);
        var done = await WaitAsync(batch);
        await batch.CommitAsync("admin", "管理者", null);

        Assert.True(resumed.Succeeded, resumed.Code);
        Assert.Equal(PaperBatchStatuses.Committed, done.Summary.Status);
        Assert.Equal((5, 5, 230), (done.Commit!.ChunksApplied, done.Commit.Chunks, done.Commit.LinesDecided));
        var lines = (await batch.GetLinesAsync(0, 1000)).Lines;
        Assert.Equal(230, lines.Count);
        Assert.All(lines, l => Assert.Equal(PaperLineStatuses.Accepted, l.Outcome));
        Assert.Equal(230, done.Summary.Reconciliation.Accepted);
        var totals = await LiveTotalsAsync(grains, roundId);
        Assert.Equal((0, 230, 230), (totals.OnlineVoters, totals.PaperVoters, totals.Votes));
        Assert.Equal(Enumerable.Range(1, 7).ToDictionary(n => n, n => voters.Where((_, i) => i % 7 + 1 == n).Count()), totals.VotesByBallotNumber);
    }
}
