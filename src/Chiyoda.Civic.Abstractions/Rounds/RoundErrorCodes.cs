namespace Chiyoda.Civic.Abstractions.Rounds;

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
