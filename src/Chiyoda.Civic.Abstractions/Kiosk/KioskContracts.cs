using System.Security.Cryptography;
using System.Text;
using Chiyoda.Civic.Abstractions.Ballots;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Kiosk;

/// <summary>
/// One assisted-voting session on a facility's device: a clerk checked the person against the register and
/// opened it; the person then casts one ballot on the device, privately. Key: <see cref="KioskTokens.SessionKey"/>
/// of the session's token, never the token itself, so storage and the audit log never hold a token that could
/// still be used. Non-reentrant: two ballots sent at once in one session run one after the other, and the second
/// finds the session used.
/// </summary>
[Alias("civic.IKioskSessionGrain")]
public interface IKioskSessionGrain : IGrainWithStringKey
{
    /// <summary>Opens the session for a voter (the same opening again answers the same; any other is refused).</summary>
    [Alias("open")]
    Task<Common.CommandResult<KioskOpened>> OpenAsync(KioskOpening opening);

    /// <summary>What the device may show: the round and whether a ballot may still be cast. Records an expiry it notices.</summary>
    [Alias("get")]
    Task<KioskSessionView> GetAsync();

    /// <summary>Casts the session's one ballot (channel kiosk) through the voter's ballot grain.</summary>
    [Alias("cast")]
    Task<BallotResult> CastAsync(string idempotencyKey, IReadOnlyList<int> choices);

    /// <summary>Ends an open session without a ballot (the person chose not to vote, or the clerk cancelled).</summary>
    [Alias("end")]
    Task EndAsync(string by);
}

/// <summary>
/// One voter's kiosk sessions in one round (key: "{roundId}:{voterKey}"): which session, if any, is open for them now, so a
/// clerk cannot hand a second device to a person who already has one waiting (two open sessions would each take a ballot,
/// the later replacing the earlier: still one ballot, but not what the clerk meant). A claim lapses at its session's
/// expiry, so a release that never arrives holds no one up for longer than a session lasts.
/// </summary>
[Alias("civic.IKioskVoterGrain")]
public interface IKioskVoterGrain : IGrainWithStringKey
{
    /// <summary>The grain key of one voter in one round.</summary>
    public static string Key(string roundId, string voterKey) => $"{roundId}:{voterKey}";

    /// <summary>Holds the voter for this session until it expires, unless another session of theirs is open; the same session again is granted.</summary>
    [Alias("claim")]
    Task<bool> ClaimAsync(string sessionKey, DateTimeOffset expiresAt);

    /// <summary>As <see cref="ClaimAsync(string, DateTimeOffset)"/>, noting the facility, so a clerk elsewhere is told where the open session is.</summary>
    [Alias("claim-at")]
    Task<bool> ClaimAsync(string sessionKey, DateTimeOffset expiresAt, string facilityCode);

    /// <summary>The session open for this voter now (until when, and where if known), or null: the clerk's check says so before any hand-over.</summary>
    [Alias("open-session"), ReadOnly]
    Task<KioskOpenSession?> GetOpenAsync();

    /// <summary>Lets the voter go when their session closes (voted, ended); a release by any other session does nothing.</summary>
    [Alias("release")]
    Task ReleaseAsync(string sessionKey);
}

/// <summary>A voter's session that is open now: until when, and at which facility (null for a claim stored before facilities were kept).</summary>
[GenerateSerializer, Immutable, Alias("civic.kiosk-open-session")]
public sealed record KioskOpenSession(
    [property: Id(0)] DateTimeOffset ExpiresAt,
    [property: Id(1)] string? FacilityCode);

/// <summary>Who opened the session, for whom, where.</summary>
[GenerateSerializer, Immutable, Alias("civic.kiosk-opening")]
public sealed record KioskOpening(
    [property: Id(0)] string RoundId,
    [property: Id(1)] string VoterKey,
    [property: Id(2)] string FacilityCode,
    [property: Id(3)] string ClerkSub,
    [property: Id(4)] string ClerkName);

/// <summary>
/// What opening a session tells the clerk: until when it is open, and for a person refused as under age, from which day
/// they may vote. Answered inside a <see cref="Common.CommandResult{TValue}"/> whose code (a <see cref="KioskErrorCodes"/> or
/// <see cref="BallotErrorCodes"/> code) says why a session did not open.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.kiosk-opened")]
public sealed record KioskOpened(
    [property: Id(0)] DateTimeOffset? ExpiresAt,
    [property: Id(1)] DateOnly? EligibleFrom = null);

/// <summary>
/// What the device sees: never the voter's key or name, only the round, the session's status
/// (<see cref="KioskStatuses"/>) and whether the voter already had a ballot (a new one replaces it).
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.kiosk-session-view")]
public sealed record KioskSessionView(
    [property: Id(0)] string Status,
    [property: Id(1)] string? RoundId,
    [property: Id(2)] DateTimeOffset? ExpiresAt,
    [property: Id(3)] bool AlreadyVoted = false)
{
    public bool Open => Status == KioskStatuses.Open;
}

public static class KioskStatuses
{
    public const string None = "none";
    public const string Open = "open";
    public const string Voted = "voted";
    public const string Expired = "expired";
    public const string Ended = "ended";
}

public static class KioskErrorCodes
{
    public const string SessionNotFound = "kiosk-session-not-found";
    public const string SessionExpired = "kiosk-session-expired";
    public const string SessionUsed = "kiosk-session-used";
    public const string SessionEnded = "kiosk-session-ended";
    public const string FacilityNotFound = "facility-not-found";
    public const string VoterNotFound = "voter-not-found";
    public const string VoterAmbiguous = "voter-ambiguous";
    public const string SessionConflict = "kiosk-session-conflict";
    public const string SessionOpenElsewhere = "kiosk-session-open-elsewhere";
    public const string VoterMismatch = "voter-mismatch";

    /// <summary>Nothing is on the round's ballot (no shortlist published): no session opens, as the online ballot page shows no form.</summary>
    public const string NoShortlist = "no-shortlist";
}

public static class KioskRules
{
    /// <summary>
    /// From the clerk's opening to the last moment a ballot may be cast: long enough for an unhurried voter to
    /// read seven proposals, short enough that a device left alone does not stay usable.
    /// </summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(5);
}

public static class KioskTokens
{
    /// <summary>A new unguessable session token: 128 random bits as 32 lower-case hex digits.</summary>
    public static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public static bool IsWellFormed(string? token) =>
        token is { Length: 32 } && token.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>The session grain's key: SHA-256 of the token, so a reader of storage cannot use a live session.</summary>
    public static string SessionKey(string token) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(token))).ToLowerInvariant();

    /// <summary>The session as the audit log names it: the first 12 digits of its key.</summary>
    public static string AuditId(string sessionKey) => sessionKey[..12];
}
