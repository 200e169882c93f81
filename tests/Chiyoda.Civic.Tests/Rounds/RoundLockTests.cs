using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Rounds;

/// <summary>Issue 12, point 5 in the grain: once open, voting's opening is fixed; once closed, nothing reopens it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RoundLockTests(ClusterFixture fixture)
{
    private static readonly Actor Admin = new("admin-lock", "管理者 ロック", IsAdministrator: true);

    /// <summary>A round whose voting opens and closes at these offsets from the test clock's now.</summary>
    private async Task<(IRoundGrain Round, string RoundId, RoundDefinition Definition)> RoundAsync(TimeSpan opens, TimeSpan closes)
    {
        var now = fixture.Clock.GetUtcNow();
        var roundId = RoundSamples.NewRoundId();
        var definition = RoundSamples.Ward2024() with
        {
            Schedule = new RoundSchedule(now.AddDays(-60), now.AddDays(-30), now + opens, now + closes, now.AddDays(40)),
        };
        var round = fixture.Grains.GetGrain<IRoundGrain>(roundId);
        var created = await round.CreateAsync(definition, Admin);
        Assert.True(created.Succeeded, created.Code);
        return (round, roundId, definition);
    }

    private static RoundDefinition WithVoting(RoundDefinition d, DateTimeOffset? opens = null, DateTimeOffset? closes = null) =>
        d with { Schedule = d.Schedule with { VotingOpens = opens ?? d.Schedule.VotingOpens, VotingCloses = closes ?? d.Schedule.VotingCloses } };

    [Fact]
    public async Task Once_voting_has_opened_its_opening_cannot_move_either_way_but_the_close_still_can()
    {
        var (round, _, definition) = await RoundAsync(TimeSpan.FromDays(-1), TimeSpan.FromDays(10));

        var earlier = await round.UpdateAsync(WithVoting(definition, opens: definition.Schedule.VotingOpens.AddDays(-1)), Admin);
        var later = await round.UpdateAsync(WithVoting(definition, opens: fixture.Clock.GetUtcNow().AddDays(1)), Admin);
        var longer = await round.UpdateAsync(WithVoting(definition, closes: definition.Schedule.VotingCloses.AddDays(7)), Admin);

        Assert.Equal(RoundErrorCodes.VotingOpensLocked, earlier.Code);
        Assert.Contains(earlier.Errors, e => e.Field == "schedule.votingOpens");
        Assert.Equal(RoundErrorCodes.VotingOpensLocked, later.Code);
        Assert.True(longer.Succeeded, longer.Code);
        Assert.Equal(definition.Schedule.VotingOpens, (await round.GetAsync())!.Definition.Schedule.VotingOpens);
    }

    /// <summary>
    /// A round stored with fractions of a second (a client's milliseconds, an early close's instant) and sent back as pages
    /// and the API show it, in whole seconds, is the same round: renaming it is not moving a locked opening or close.
    /// </summary>
    [Fact]
    public async Task A_round_sent_back_in_whole_seconds_after_voting_opened_and_closed_is_not_a_move()
    {
        var (round, _, definition) = await RoundAsync(TimeSpan.FromDays(-3) + TimeSpan.FromMilliseconds(345), TimeSpan.FromHours(-1) + TimeSpan.FromMilliseconds(678));
        static DateTimeOffset Whole(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds()).ToOffset(t.Offset);
        var s = definition.Schedule;
        var asShown = definition with
        {
            Name = "秒単位で送り返した名前",
            Schedule = new RoundSchedule(Whole(s.CallOpens), Whole(s.CallCloses), Whole(s.VotingOpens), Whole(s.VotingCloses), Whole(s.ResultsDue)),
        };

        var renamed = await round.UpdateAsync(asShown, Admin);
        var moved = await round.UpdateAsync(WithVoting(definition, opens: s.VotingOpens.AddSeconds(1)), Admin);

        Assert.True(renamed.Succeeded, renamed.Code);
        var stored = (await round.GetAsync())!.Definition;
        Assert.Equal("秒単位で送り返した名前", stored.Name);
        Assert.Equal(s.VotingOpens, stored.Schedule.VotingOpens);
        Assert.Equal(s.VotingCloses, stored.Schedule.VotingCloses);
        Assert.Equal(RoundErrorCodes.VotingOpensLocked, moved.Code);
    }

    [Fact]
    public async Task After_the_scheduled_close_the_close_cannot_move_so_the_round_cannot_be_reopened()
    {
        var (round, _, definition) = await RoundAsync(TimeSpan.FromDays(-10), TimeSpan.FromHours(-1));

        var reopened = await round.UpdateAsync(WithVoting(definition, closes: fixture.Clock.GetUtcNow().AddDays(3)), Admin);
        var moved = await round.UpdateAsync(WithVoting(definition, closes: definition.Schedule.VotingCloses.AddMinutes(-30)), Admin);
        var renamed = await round.UpdateAsync(definition with { Name = "締切後に改名" }, Admin);

        Assert.Equal(RoundErrorCodes.VotingClosed, reopened.Code);
        Assert.Contains(reopened.Errors, e => e.Field == "schedule.votingCloses" && e.Code == RoundErrorCodes.VotingClosed);
        Assert.Equal(RoundErrorCodes.VotingClosed, moved.Code);
        Assert.True(renamed.Succeeded, renamed.Code);
        Assert.Equal(definition.Schedule.VotingCloses, (await round.GetAsync())!.Definition.Schedule.VotingCloses);
    }

    [Fact]
    public async Task After_an_early_close_the_round_cannot_be_reopened()
    {
        var (round, roundId, definition) = await RoundAsync(TimeSpan.FromDays(-1), TimeSpan.FromDays(10));
        var now = fixture.Clock.GetUtcNow();

        // What CountingService.CloseAsync does: the close moves to now, then the close record is written.
        var closed = await round.UpdateAsync(WithVoting(definition, closes: now), Admin);
        Assert.True(closed.Succeeded, closed.Code);
        await fixture.Grains.GetGrain<IResultsGrain>(roundId).RecordCloseAsync(new CloseRecord(now, Admin.Sub, Admin.Name, "早期締切", Early: true));
        var reopened = await round.UpdateAsync(WithVoting(definition, closes: now.AddDays(10)), Admin);

        Assert.Equal(RoundErrorCodes.VotingClosed, reopened.Code);
        Assert.Equal(now, (await round.GetAsync())!.Definition.Schedule.VotingCloses);
        Assert.Equal(RoundPhase.Counting, (await round.GetAsync())!.PhaseAt(now));
    }

    [Fact]
    public async Task An_early_close_recorded_in_the_results_locks_the_close_even_if_the_schedule_never_moved()
    {
        var (round, roundId, definition) = await RoundAsync(TimeSpan.FromDays(-1), TimeSpan.FromDays(10));
        await fixture.Grains.GetGrain<IResultsGrain>(roundId).RecordCloseAsync(
            new CloseRecord(fixture.Clock.GetUtcNow(), Admin.Sub, Admin.Name, "記録のみ", Early: true));

        var later = await round.UpdateAsync(WithVoting(definition, closes: definition.Schedule.VotingCloses.AddDays(10)), Admin);

        Assert.Equal(RoundErrorCodes.VotingClosed, later.Code);
    }

    [Fact]
    public async Task Publication_makes_the_phase_results_whatever_the_results_due_date_says()
    {
        var (round, _, _) = await RoundAsync(TimeSpan.FromDays(-10), TimeSpan.FromHours(-1));
        var now = fixture.Clock.GetUtcNow();
        Assert.Equal(RoundPhase.Counting, (await round.GetAsync())!.PhaseAt(now));

        var published = await round.RecordPublicationAsync(now);
        var again = await round.RecordPublicationAsync(now.AddHours(1));

        Assert.Equal(RoundPhase.Results, published!.PhaseAt(now));
        Assert.Equal<DateTimeOffset?>(now, again!.PublishedAt);
        Assert.Equal(RoundPhase.Results, (await round.GetAsync())!.PhaseAt(now));
    }

    [Fact]
    public async Task Creating_and_changing_a_round_is_audited_with_actor_and_the_fields_before_and_after()
    {
        var (round, roundId, definition) = await RoundAsync(TimeSpan.FromDays(1), TimeSpan.FromDays(10));
        var closes = definition.Schedule.VotingCloses.AddDays(7);
        Assert.True((await round.UpdateAsync(WithVoting(definition, closes: closes), Admin)).Succeeded);
        Assert.True((await round.UpdateAsync(WithVoting(definition, closes: closes), Admin)).Succeeded);

        var entries = (await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 50)).Entries;

        Assert.Equal(["round.updated", "round.created"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal((Admin.Sub, Admin.Name), (e.ActorSub, e.ActorName)));
        var created = entries[1];
        Assert.Null(created.Before);
        Assert.StartsWith("votingOpens=", created.After);
        var updated = entries[0];
        Assert.Equal($"votingCloses={Tokyo(definition.Schedule.VotingCloses)}", updated.Before);
        Assert.Equal($"votingCloses={Tokyo(closes)}", updated.After);
    }

    private static string Tokyo(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
