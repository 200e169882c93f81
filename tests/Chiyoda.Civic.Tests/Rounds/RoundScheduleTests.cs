using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Tests.Rounds;

[Trait(Tier.Name, Tier.Unit)]
public sealed class RoundScheduleTests
{
    private static readonly RoundSchedule Schedule = RoundSamples.Ward2024().Schedule;
    private static readonly TimeSpan Tokyo = TimeSpan.FromHours(9);

    [Theory]
    [InlineData("2024-03-31T23:59:59+09:00", RoundPhase.Upcoming)]
    [InlineData("2024-04-01T00:00:00+09:00", RoundPhase.CallForProposals)]
    [InlineData("2024-05-31T15:00:00+00:00", RoundPhase.Screening)] // 1 June 00:00 in Tokyo
    [InlineData("2024-08-04T14:59:59+00:00", RoundPhase.Screening)] // 4 Aug 23:59:59 in Tokyo
    [InlineData("2024-08-05T00:00:00+09:00", RoundPhase.Voting)]
    [InlineData("2024-09-20T23:59:59+09:00", RoundPhase.Voting)]
    [InlineData("2024-09-21T00:00:00+09:00", RoundPhase.Counting)]
    [InlineData("2024-11-26T00:00:00+09:00", RoundPhase.Results)]
    public void Phase_is_derived_from_the_dates_in_Tokyo_time(string now, RoundPhase expected) =>
        Assert.Equal(expected, Schedule.PhaseAt(DateTimeOffset.Parse(now)));

    [Fact]
    public void Timeline_lists_each_phase_until_the_next_begins()
    {
        var timeline = Schedule.Timeline();
        Assert.Equal([RoundPhase.CallForProposals, RoundPhase.Screening, RoundPhase.Voting, RoundPhase.Counting, RoundPhase.Results],
            timeline.Select(t => t.Phase));
        Assert.Equal(new DateTimeOffset(2024, 8, 5, 0, 0, 0, Tokyo), timeline[2].Starts);
        Assert.Equal(new DateTimeOffset(2024, 9, 21, 0, 0, 0, Tokyo), timeline[2].Ends);
        Assert.Null(timeline[^1].Ends);
    }

    [Theory]
    [InlineData("2024")]
    [InlineData("demo-2024")]
    [InlineData("a")]
    public void Valid_round_ids(string id) => Assert.True(RoundValidation.IsValidRoundId(id));

    [Theory]
    [InlineData("")]
    [InlineData("Round")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("-a")]
    [InlineData("a b")]
    public void Invalid_round_ids(string id) => Assert.False(RoundValidation.IsValidRoundId(id));
}
