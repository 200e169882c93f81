using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Kiosk;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Grains.Kiosk;
using Chiyoda.Civic.Grains.Register;
using Chiyoda.Civic.Web.PaperBallots;
using Chiyoda.Civic.Web.Register;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Kiosk;

/// <summary>A person found on the register for a clerk, and whether they may vote now (null code) or why not.</summary>
/// <remarks>
/// <see cref="HasBallot"/>: the person already has a ballot (online or at a kiosk; a paper ballot refuses the session), which
/// the kiosk ballot will replace, as a second online vote does. The clerk is told, as at a polling desk, so the person can be
/// told before they vote; never what the ballot says.
/// <para><see cref="OpenSession"/>: with code <c>kiosk-session-open-elsewhere</c>, the person's session open now on another
/// device (until when, where), so the clerk is told before any hand-over, which would be refused.</para>
/// </remarks>
public sealed record KioskVoterCheck(RegisterEntry? Voter, string? Code, DateOnly? EligibleFrom = null, bool HasBallot = false, KioskOpenSession? OpenSession = null);

/// <summary>
/// Assisted voting at a facility: the clerk's side (find the person, check, open a session) and the device's side
/// (what the session allows, the one ballot). The device knows the session only by its token (the kiosk cookie).
/// </summary>
public sealed class KioskService(IGrainFactory grains, KnownRounds rounds, RegisterService register)
{
    /// <summary>The cookie that puts one browser into kiosk mode for one session.</summary>
    public const string CookieName = "__Host-civic-kiosk";

    /// <summary>By voter key, or else by kana name and birthdate (ISO or the ward's era forms), as paper keying finds voters.</summary>
    public async Task<KioskVoterCheck> FindAsync(string roundId, string? voterKey, string? nameKana, string? birthdate)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return new(null, BallotErrorCodes.RoundNotFound);
        }

        RegisterEntry? voter;
        if (!string.IsNullOrWhiteSpace(voterKey))
        {
            voter = await register.GetAsync(roundId, PaperKeyingInput.VoterKey(voterKey));
            if (voter is null)
            {
                return new(null, BallotErrorCodes.NotOnRegister);
            }

            // A name or birthdate typed beside the number is checked against it, never silently passed over: the clerk
            // typed it because that is who stands at the desk.
            if (!string.IsNullOrWhiteSpace(birthdate) && WardDates.Parse(birthdate) is not { })
            {
                return new(null, "invalid-birthdate");
            }

            if ((!string.IsNullOrWhiteSpace(nameKana) && RegisterText.NormalizeKana(nameKana) != RegisterText.NormalizeKana(voter.NameKana))
                || (!string.IsNullOrWhiteSpace(birthdate) && WardDates.Parse(birthdate) != voter.Birthdate))
            {
                return new(null, KioskErrorCodes.VoterMismatch);
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(nameKana) || string.IsNullOrWhiteSpace(birthdate))
            {
                return new(null, KioskErrorCodes.VoterNotFound);
            }

            if (WardDates.Parse(birthdate) is not { } born)
            {
                return new(null, "invalid-birthdate");
            }

            var found = await register.FindAsync(roundId, nameKana, born);
            if (found.Count == 0)
            {
                return new(null, BallotErrorCodes.NotOnRegister);
            }

            if (found.Count > 1)
            {
                return new(null, KioskErrorCodes.VoterAmbiguous);
            }

            voter = found[0];
        }

        var ballot = grains.GetGrain<IBallotGrain>(Ballots.BallotService.BallotKey(roundId, voter.VoterKey));
        var check = await ballot.CheckOnlineAsync();
        if (check.Code is null)
        {
            // What the hand-over would refuse, said before it: nothing on the ballot, or a session open on another device.
            var (refused, open) = await KioskChecks.BeforeHandOverAsync(grains, roundId, voter.VoterKey);
            if (refused is not null)
            {
                return new(voter, refused, OpenSession: open);
            }
        }

        var hasBallot = check.Code is null && (await ballot.GetAsync()).Counted is not null;
        return new(voter, check.Code, check.EligibleFrom, hasBallot);
    }

    /// <summary>Opens a session for a voter at a facility; the token goes to the device only.</summary>
    public async Task<(string? Token, CommandResult<KioskOpened> Result)> OpenAsync(string roundId, string voterKey, string facilityCode, PaperActor clerk)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return (null, CommandResult<KioskOpened>.Refused(BallotErrorCodes.RoundNotFound, []));
        }

        var token = KioskTokens.NewToken();
        var result = await Session(token).OpenAsync(new KioskOpening(roundId, voterKey, facilityCode, clerk.Sub, clerk.Name));
        return (result.Code is null ? token : null, result);
    }

    public async Task<KioskSessionView> GetAsync(string? token) =>
        KioskTokens.IsWellFormed(token) ? await Session(token!).GetAsync() : new KioskSessionView(KioskStatuses.None, null, null);

    public Task<BallotResult> CastAsync(string? token, string idempotencyKey, IReadOnlyList<int> choices) =>
        KioskTokens.IsWellFormed(token) ? Session(token!).CastAsync(idempotencyKey, choices) : Task.FromResult(BallotResult.Refused(KioskErrorCodes.SessionNotFound));

    public Task EndAsync(string? token) => KioskTokens.IsWellFormed(token) ? Session(token!).EndAsync("voter") : Task.CompletedTask;

    private IKioskSessionGrain Session(string token) => grains.GetGrain<IKioskSessionGrain>(KioskTokens.SessionKey(token));
}
