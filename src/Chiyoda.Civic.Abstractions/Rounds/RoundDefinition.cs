namespace Chiyoda.Civic.Abstractions.Rounds;

/// <summary>What an administrator sets for one programme round.</summary>
[GenerateSerializer, Immutable, Alias("civic.round-definition")]
public sealed record RoundDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string? NameEn,
    [property: Id(2)] RoundSchedule Schedule,
    [property: Id(3)] RoundRules Rules);

/// <summary>
/// The instants at which each phase begins. Each phase runs until the next one begins, so the
/// current phase is always derived from these and the clock, never stored.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.round-schedule")]
public sealed record RoundSchedule(
    [property: Id(0)] DateTimeOffset CallOpens,
    [property: Id(1)] DateTimeOffset CallCloses,
    [property: Id(2)] DateTimeOffset VotingOpens,
    [property: Id(3)] DateTimeOffset VotingCloses,
    [property: Id(4)] DateTimeOffset ResultsDue)
{
    /// <summary>
    /// This schedule with each instant that is the stored one to the second replaced by the stored one. Pages and clients
    /// show and send whole seconds; a round stored with fractions (an early close's instant, a client's milliseconds) sent
    /// back as read must not count as moving an opening or a close that can no longer move.
    /// </summary>
    public RoundSchedule KeepingWithinTheSecond(RoundSchedule stored)
    {
        static DateTimeOffset Keep(DateTimeOffset sent, DateTimeOffset stored) =>
            sent.ToUnixTimeSeconds() == stored.ToUnixTimeSeconds() ? stored : sent;
        return new(Keep(CallOpens, stored.CallOpens), Keep(CallCloses, stored.CallCloses), Keep(VotingOpens, stored.VotingOpens),
            Keep(VotingCloses, stored.VotingCloses), Keep(ResultsDue, stored.ResultsDue));
    }

    public RoundPhase PhaseAt(DateTimeOffset now) => now switch
    {
        _ when now < CallOpens => RoundPhase.Upcoming,
        _ when now < CallCloses => RoundPhase.CallForProposals,
        _ when now < VotingOpens => RoundPhase.Screening,
        _ when now < VotingCloses => RoundPhase.Voting,
        _ when now < ResultsDue => RoundPhase.Counting,
        _ => RoundPhase.Results,
    };

    /// <summary>Each phase with the instant it begins and the instant it ends (the next phase's start).</summary>
    /// <summary>
    /// The phases with their dates; once the results are published (<paramref name="publishedAt"/>), counting ends and the
    /// results stand at the publication rather than the planned date, as the calendar feed writes them.
    /// </summary>
    public IReadOnlyList<(RoundPhase Phase, DateTimeOffset Starts, DateTimeOffset? Ends)> Timeline(DateTimeOffset? publishedAt = null) =>
    [
        (RoundPhase.CallForProposals, CallOpens, CallCloses),
        (RoundPhase.Screening, CallCloses, VotingOpens),
        (RoundPhase.Voting, VotingOpens, VotingCloses),
        (RoundPhase.Counting, VotingCloses, publishedAt ?? ResultsDue),
        (RoundPhase.Results, publishedAt ?? ResultsDue, null),
    ];
}

/// <summary>The round's rules, as built-in settings rather than code.</summary>
[GenerateSerializer, Immutable, Alias("civic.round-rules")]
public sealed record RoundRules(
    [property: Id(0)] int MaxVotesPerVoter,
    [property: Id(1)] int MinimumAge,
    [property: Id(2)] int MaxProposalsPerProposer,
    [property: Id(3)] int AdoptedCount = RoundRules.DefaultAdoptedCount)
{
    /// <summary>How many of the most-voted proposals are adopted unless an administrator decides otherwise (2024: the top 2). Rounds stored before this rule existed read it as this default.</summary>
    public const int DefaultAdoptedCount = 2;

    /// <summary>As the ward ran its 2024 round: 3 votes each, 18 and over, the top 2 adopted.</summary>
    public static RoundRules WardDefaults { get; } = new(MaxVotesPerVoter: 3, MinimumAge: 18, MaxProposalsPerProposer: 3, AdoptedCount: DefaultAdoptedCount);
}

[GenerateSerializer, Alias("civic.round-phase")]
public enum RoundPhase
{
    Upcoming = 0,
    CallForProposals = 1,
    Screening = 2,
    Voting = 3,
    Counting = 4,
    Results = 5,
}
