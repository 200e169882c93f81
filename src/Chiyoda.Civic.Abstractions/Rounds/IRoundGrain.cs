using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Rounds;

/// <summary>One programme round (key: the round id). Owns its schedule and rules.</summary>
[Alias("civic.IRoundGrain")]
public interface IRoundGrain : IGrainWithStringKey
{
    /// <summary>Creates the round. Repeating the same creation is harmless; a different one is refused with round-exists.</summary>
    [Alias("create")]
    Task<RoundCommandResult> CreateAsync(RoundDefinition definition);

    /// <summary>Replaces the round's definition. Rules are locked once voting has opened.</summary>
    [Alias("update")]
    Task<RoundCommandResult> UpdateAsync(RoundDefinition definition);

    [Alias("get"), ReadOnly]
    Task<RoundSnapshot?> GetAsync();
}

/// <summary>The ward's list of rounds (a single activation, key <see cref="WardKey"/>).</summary>
[Alias("civic.IRoundDirectoryGrain")]
public interface IRoundDirectoryGrain : IGrainWithStringKey
{
    public const string WardKey = "ward";

    [Alias("register")]
    Task RegisterAsync(RoundSummary round);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<RoundSummary>> ListAsync();
}
