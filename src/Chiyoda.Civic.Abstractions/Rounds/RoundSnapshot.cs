namespace Chiyoda.Civic.Abstractions.Rounds;

/// <summary>A round as stored, with its version so editors can tell whether they saw the latest.</summary>
[GenerateSerializer, Immutable, Alias("civic.round-snapshot")]
public sealed record RoundSnapshot(
    [property: Id(0)] string RoundId,
    [property: Id(1)] RoundDefinition Definition,
    [property: Id(2)] int Version,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] DateTimeOffset? PublishedAt = null)
{
    /// <summary>
    /// The phase: results once they are published, whatever the results-due date says; otherwise derived from
    /// the schedule and the clock (<see cref="RoundSchedule.PhaseAt"/>).
    /// </summary>
    public RoundPhase PhaseAt(DateTimeOffset now) => PublishedAt is not null ? RoundPhase.Results : Definition.Schedule.PhaseAt(now);
}

/// <summary>One line of the list of rounds.</summary>
[GenerateSerializer, Immutable, Alias("civic.round-summary")]
public sealed record RoundSummary(
    [property: Id(0)] string RoundId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] RoundSchedule Schedule);
