using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Web.Ballots;

/// <summary>
/// Who could vote in a round, whether or not they did: on its register and of age by its last day of voting. The one rule of
/// the things only the round's voters may do after the vote (「満足度」 on the results page, the "results are out" notice).
/// </summary>
public static class RoundVoters
{
    /// <summary>Null when the person is on the round's register and had reached the voting age by its last day of voting; else why not.</summary>
    public static async Task<string?> RefusalAsync(IGrainFactory grains, string roundId, Voter person)
    {
        if (person.VoterKey is null
            || await (await grains.EntryShardAsync(roundId, person.VoterKey)).GetAsync(person.VoterKey) is not { } entry
            || await grains.GetGrain<IRoundGrain>(roundId).GetBallotSettingsAsync() is not { } round)
        {
            return BallotErrorCodes.NotOnRegister;
        }

        var lastDay = DateOnly.FromDateTime(WardClock.ToWardTime(round.Schedule.VotingCloses.AddTicks(-1)).DateTime);
        return Eligibility.IsOfAge(entry.Birthdate, round.Rules.MinimumAge, lastDay) ? null : BallotErrorCodes.UnderAge;
    }
}
