using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Tests.Rounds;

/// <summary>Rounds shaped like the ward's 2024 round (voting 5 Aug to 20 Sep, Tokyo time).</summary>
public static class RoundSamples
{
    private static readonly TimeSpan Tokyo = TimeSpan.FromHours(9);

    public static RoundDefinition Ward2024(string name = "デジタル活用提案制度 2024年度") => new(
        name,
        "Digital proposal programme 2024",
        new RoundSchedule(
            CallOpens: new DateTimeOffset(2024, 4, 1, 0, 0, 0, Tokyo),
            CallCloses: new DateTimeOffset(2024, 6, 1, 0, 0, 0, Tokyo),
            VotingOpens: new DateTimeOffset(2024, 8, 5, 0, 0, 0, Tokyo),
            VotingCloses: new DateTimeOffset(2024, 9, 21, 0, 0, 0, Tokyo),
            ResultsDue: new DateTimeOffset(2024, 11, 26, 0, 0, 0, Tokyo)),
        RoundRules.WardDefaults);

    public static string NewRoundId() => "r-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The API body for a round, with dates as Tokyo-local text the way an administrator types them.</summary>
    public static object ApiBody(string name = "テスト募集回", int maxVotes = 3, int minimumAge = 18, string votingOpens = "2024-08-05", string votingCloses = "2024-09-21") => new
    {
        name,
        nameEn = "Test round",
        schedule = new
        {
            callOpens = "2024-04-01",
            callCloses = "2024-06-01T00:00",
            votingOpens,
            votingCloses,
            resultsDue = "2024-11-26T10:00:00+09:00",
        },
        rules = new { maxVotesPerVoter = maxVotes, minimumAge, maxProposalsPerProposer = 3 },
    };
}
