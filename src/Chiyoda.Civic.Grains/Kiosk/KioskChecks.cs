using Chiyoda.Civic.Abstractions.Kiosk;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Grains.Kiosk;

/// <summary>
/// What a hand-over would be refused for once the ballot's own check has passed, asked by the clerk's check before any
/// hand-over (<c>KioskService.FindAsync</c>) so the clerk is told first, and by <see cref="KioskSessionGrain"/> at opening.
/// </summary>
public static class KioskChecks
{
    /// <summary>Whether anything is on the round's ballot (a published shortlist with at least one proposal).</summary>
    public static async Task<bool> HasBallotItemsAsync(IGrainFactory grains, string roundId) =>
        await grains.GetGrain<IRoundGrain>(roundId).GetShortlistAsync() is { Entries.Count: > 0 };

    /// <summary>
    /// Null when a session may be opened for the voter now; else <see cref="KioskErrorCodes.NoShortlist"/> or
    /// <see cref="KioskErrorCodes.SessionOpenElsewhere"/> with the open session (until when, where).
    /// </summary>
    public static async Task<(string? Code, KioskOpenSession? OpenSession)> BeforeHandOverAsync(IGrainFactory grains, string roundId, string voterKey)
    {
        if (!await HasBallotItemsAsync(grains, roundId))
        {
            return (KioskErrorCodes.NoShortlist, null);
        }

        return await grains.GetGrain<IKioskVoterGrain>(IKioskVoterGrain.Key(roundId, voterKey)).GetOpenAsync() is { } open
            ? (KioskErrorCodes.SessionOpenElsewhere, open)
            : (null, null);
    }
}
