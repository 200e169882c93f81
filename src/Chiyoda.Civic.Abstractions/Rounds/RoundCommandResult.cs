using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Abstractions.Rounds;

/// <summary>
/// The outcome of creating or editing a round: the stored round, or why nothing was stored.
/// <see cref="Code"/> is stable and meant for programs; the errors say which fields are wrong.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.round-command-result")]
public sealed record RoundCommandResult(
    [property: Id(0)] RoundSnapshot? Round,
    [property: Id(1)] string? Code,
    [property: Id(2)] IReadOnlyList<ValidationError> Errors)
{
    public bool Succeeded => Round is not null && Code is null;

    public static RoundCommandResult Stored(RoundSnapshot round) => new(round, null, []);

    public static RoundCommandResult Refused(string code, IReadOnlyList<ValidationError>? errors = null) =>
        new(null, code, errors ?? []);
}

/// <summary>Stable codes for refused round commands.</summary>
public static class RoundErrorCodes
{
    public const string InvalidRoundId = "invalid-round-id";
    public const string RoundNotFound = "round-not-found";
    public const string RoundExists = "round-exists";
    public const string InvalidRound = "invalid-round";
    public const string RulesLocked = "rules-locked";
    public const string ShortlistLocked = "shortlist-locked";
    public const string InvalidShortlist = "invalid-shortlist";

    /// <summary>Voting has opened: its opening instant is history and cannot move.</summary>
    public const string VotingOpensLocked = "voting-opens-locked";

    /// <summary>Voting has closed (on schedule or early): the close cannot move, so nothing reopens the window.</summary>
    public const string VotingClosed = "voting-closed";

    // Field-level codes inside an invalid-round refusal.
    public const string Required = "required";
    public const string TooLong = "too-long";
    public const string DatesOutOfOrder = "dates-out-of-order";
    public const string OutOfRange = "out-of-range";
    public const string InvalidBallotNumbers = "invalid-ballot-numbers";
    public const string DuplicateProposal = "duplicate-proposal";
}
