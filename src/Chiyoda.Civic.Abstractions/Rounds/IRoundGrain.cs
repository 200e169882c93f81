using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Rounds;

/// <summary>One programme round (key: the round id). Owns its schedule and rules.</summary>
[Alias("civic.IRoundGrain")]
public interface IRoundGrain : IGrainWithStringKey
{
    /// <summary>Creates the round. Repeating the same creation is harmless; a different one is refused with round-exists. Audited (actor null: the system).</summary>
    [Alias("create")]
    Task<CommandResult<RoundSnapshot>> CreateAsync(RoundDefinition definition, Actor? actor = null);

    /// <summary>
    /// Replaces the round's definition, audited with the fields before and after. Rules are locked once voting has
    /// opened (rules-locked), so is the opening of voting (voting-opens-locked); once voting has closed, on schedule or
    /// early (the results grain's close record), so is its close (voting-closed): nothing puts "now" back in the window.
    /// </summary>
    [Alias("update")]
    Task<CommandResult<RoundSnapshot>> UpdateAsync(RoundDefinition definition, Actor? actor = null);

    /// <summary>Records that the results are published (the first instant stays): from then on the phase is results.</summary>
    [Alias("record-publication")]
    Task<RoundSnapshot?> RecordPublicationAsync(DateTimeOffset publishedAt);

    [Alias("get"), ReadOnly]
    Task<RoundSnapshot?> GetAsync();

    /// <summary>
    /// Sets the ballot's proposals and their numbers: the shortlist step of <c>IScreeningGrain.PublishShortlistAsync</c>,
    /// its only caller. Refused with not-selected unless every entry is a selected proposal as its proposer wrote it,
    /// and with shortlist-locked once voting has opened.
    /// </summary>
    [Alias("set-shortlist")]
    Task<CommandResult<RoundSnapshot>> SetShortlistAsync(Shortlist shortlist);

    /// <summary>What every ballot is checked against, in one read: the schedule, the rules and the shortlist.</summary>
    [Alias("get-ballot-settings"), ReadOnly]
    Task<BallotSettings?> GetBallotSettingsAsync();

    /// <summary>The shortlist, or null before staff have set one.</summary>
    [Alias("get-shortlist"), ReadOnly]
    Task<Shortlist?> GetShortlistAsync();
}

/// <summary>What a ballot needs to know about its round.</summary>
[GenerateSerializer, Immutable, Alias("civic.ballot-settings")]
public sealed record BallotSettings(
    [property: Id(0)] RoundSchedule Schedule,
    [property: Id(1)] RoundRules Rules,
    [property: Id(2)] Shortlist? Shortlist);

/// <summary>The ward's list of rounds (a single activation, key <see cref="WardKey"/>).</summary>
[Alias("civic.IRoundDirectoryGrain")]
public interface IRoundDirectoryGrain : IGrainWithStringKey
{
    public const string WardKey = "ward";

    [Alias("register")]
    Task RegisterAsync(RoundSummary round);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<RoundSummary>> ListAsync();

    /// <summary>Whether the round exists: asked before any per-round grain is touched, so an unknown id activates nothing.</summary>
    [Alias("contains"), ReadOnly]
    Task<bool> ContainsAsync(string roundId);
}
