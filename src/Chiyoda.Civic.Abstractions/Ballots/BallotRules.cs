using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Abstractions.Ballots;

/// <summary>
/// The ballot rules every channel applies: the ballot grain when it decides, and the paper batch when a
/// clerk keys a line, so what a clerk is shown at keying is what the commit will decide.
/// </summary>
public static class BallotRules
{
    /// <summary>Null when the choices make a valid ballot, else why not (a <see cref="BallotErrorCodes"/> code).</summary>
    public static string? CheckChoices(IReadOnlyList<int> choices, RoundRules rules, Shortlist? shortlist)
    {
        if (choices.Count == 0)
        {
            return BallotErrorCodes.NoChoice;
        }

        if (choices.Count > rules.MaxVotesPerVoter)
        {
            return BallotErrorCodes.TooManyChoices;
        }

        if (choices.Distinct().Count() != choices.Count)
        {
            return BallotErrorCodes.DuplicateChoice;
        }

        return shortlist is null || choices.Any(c => shortlist.ByBallotNumber(c) is null)
            ? BallotErrorCodes.UnknownProposal
            : null;
    }

    /// <summary>The ward-local days on which a paper ballot may have been cast: those the voting window touches.</summary>
    public static (DateOnly First, DateOnly Last) CastDays(RoundSchedule schedule) => (
        DateOnly.FromDateTime(WardClock.ToWardTime(schedule.VotingOpens).DateTime),
        DateOnly.FromDateTime(WardClock.ToWardTime(schedule.VotingCloses.AddTicks(-1)).DateTime));
}
