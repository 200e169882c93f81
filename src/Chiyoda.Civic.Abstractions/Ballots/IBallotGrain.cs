using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Ballots;

/// <summary>
/// The one ballot of one person in one round (key "{roundId}:{voterKey}"). Every channel's ballot
/// for the person goes through this single activation, so one person has one ballot however many
/// requests arrive at once: a unique key, not a check.
/// </summary>
[Alias("civic.IBallotGrain")]
public interface IBallotGrain : IGrainWithStringKey
{
    /// <summary>Casts or changes the online ballot. Durable in storage before it returns a receipt.</summary>
    [Alias("cast-online")]
    Task<BallotResult> CastOnlineAsync(OnlineBallot ballot);

    /// <summary>
    /// Applies one paper ballot (idempotent by its serial). An accepted paper ballot supersedes the
    /// online ballot whatever the order of arrival. Of several paper ballots the one cast earliest counts
    /// (<see cref="PaperBallot.Precedence"/>) and the others are duplicates, whatever order they arrive in:
    /// an earlier-cast ballot arriving later takes the count over, and the one it replaces is reported as
    /// a duplicate in its own batch. A serial seen before answers its outcome as it stands now.
    /// </summary>
    [Alias("apply-paper")]
    Task<PaperResult> ApplyPaperAsync(PaperBallot ballot);

    /// <summary>Whether the voter may cast or change an online ballot now: null code if so, else the refusal (same checks as casting).</summary>
    [Alias("check-online"), ReadOnly]
    Task<BallotResult> CheckOnlineAsync();

    /// <summary>The outcome of one paper serial as it stands now (null if the serial never reached this voter's ballot).</summary>
    [Alias("get-paper-outcome"), ReadOnly]
    Task<PaperResult?> GetPaperOutcomeAsync(string serial);

    /// <summary>
    /// Whether the voter has a ballot that counts now (online, kiosk or paper): a yes or no, never the choices. What the
    /// reminders learn, so "voting closes soon" goes only to people who have not voted.
    /// </summary>
    [Alias("has-voted"), ReadOnly]
    Task<bool> HasVotedAsync();

    /// <summary>What the voter may see of their own ballot: the counted choices and the receipt.</summary>
    [Alias("get"), ReadOnly]
    Task<BallotView> GetAsync();
}

/// <summary>
/// An electronic ballot as cast: the caller's id for this request, the ballot numbers chosen, whom
/// to tell (their inbox) should a paper ballot later supersede it, and where it was cast: online, or on a
/// facility's kiosk (<see cref="BallotChannel.Kiosk"/>). Both are the same electronic ballot: the latest
/// one counts, and an accepted paper ballot beats either.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.online-ballot")]
public sealed record OnlineBallot(
    [property: Id(0)] string IdempotencyKey,
    [property: Id(1)] IReadOnlyList<int> Choices,
    [property: Id(2)] string? NotifySubject = null,
    [property: Id(3)] BallotChannel Channel = BallotChannel.Online);

/// <summary>
/// A paper ballot as keyed by clerks: its serial (unique in the round), the day it was cast at the facility, the
/// ballot numbers marked, the facility where it was cast, and the batch that recorded it (so a later change of its
/// outcome can be reported in that batch).
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.paper-ballot")]
public sealed record PaperBallot(
    [property: Id(0)] string Serial,
    [property: Id(1)] DateOnly CastDate,
    [property: Id(2)] IReadOnlyList<int> Choices,
    [property: Id(3)] string Facility = "",
    [property: Id(4)] string BatchId = "")
{
    /// <summary>
    /// Which of one voter's paper ballots counts: the one cast earliest, then by facility code and serial in
    /// ordinal order. A total order on the ballots themselves, so the count never depends on the order in which
    /// ballots are keyed, imported or committed.
    /// </summary>
    public static int Precedence(DateOnly castDate, string facility, string serial, DateOnly otherCastDate, string otherFacility, string otherSerial)
    {
        var byDate = castDate.CompareTo(otherCastDate);
        if (byDate != 0)
        {
            return byDate;
        }

        var byFacility = string.CompareOrdinal(facility, otherFacility);
        return byFacility != 0 ? byFacility : string.CompareOrdinal(serial, otherSerial);
    }
}

/// <summary>What became of a paper ballot: one of <see cref="PaperOutcomes"/>, with a reason when it does not count.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-result")]
public sealed record PaperResult(
    [property: Id(0)] string Outcome,
    [property: Id(1)] string? Reason = null)
{
    public bool Counted => Outcome is PaperOutcomes.Accepted or PaperOutcomes.AcceptedSupersedingOnline;
}

public static class PaperOutcomes
{
    public const string Accepted = "accepted";
    public const string AcceptedSupersedingOnline = "accepted-superseding-online";
    public const string Duplicate = "duplicate";
    public const string Ineligible = "ineligible";
    public const string Invalid = "invalid";
}

[GenerateSerializer, Alias("civic.ballot-channel")]
public enum BallotChannel
{
    Online = 0,
    Paper = 1,

    /// <summary>Cast on a facility's device in a one-ballot session a clerk opened (assisted voting).</summary>
    Kiosk = 2,
}

public static class BallotChannels
{
    /// <summary>The channel's name in storage, open data and the API.</summary>
    public static string Name(BallotChannel channel) => channel switch
    {
        BallotChannel.Paper => "paper",
        BallotChannel.Kiosk => "kiosk",
        _ => "online",
    };

    public static BallotChannel Parse(string? name) => name switch
    {
        "paper" => BallotChannel.Paper,
        "kiosk" => BallotChannel.Kiosk,
        _ => BallotChannel.Online,
    };
}

/// <summary>What the voter is given when a ballot is accepted; <see cref="Code"/> lets them check it later.</summary>
[GenerateSerializer, Immutable, Alias("civic.ballot-receipt")]
public sealed record BallotReceipt(
    [property: Id(0)] string Code,
    [property: Id(1)] DateTimeOffset CastAt,
    [property: Id(2)] IReadOnlyList<int> Choices,
    [property: Id(3)] BallotChannel Channel,
    [property: Id(4)] int Version);

/// <summary>A receipt, or why the ballot was refused (stable <see cref="Code"/>), with what the voter needs to know.</summary>
[GenerateSerializer, Immutable, Alias("civic.ballot-result")]
public sealed record BallotResult(
    [property: Id(0)] BallotReceipt? Receipt,
    [property: Id(1)] string? Code,
    [property: Id(2)] DateOnly? EligibleFrom = null,
    [property: Id(3)] int? RetryAfterSeconds = null,
    [property: Id(4)] bool Replayed = false)
{
    public bool Accepted => Receipt is not null && Code is null;

    public static BallotResult Refused(string code, DateOnly? eligibleFrom = null, int? retryAfterSeconds = null) =>
        new(null, code, eligibleFrom, retryAfterSeconds);
}

/// <summary>The voter's own view: the ballot that counts now, if any, and whether paper has superseded online.</summary>
[GenerateSerializer, Immutable, Alias("civic.ballot-view")]
public sealed record BallotView(
    [property: Id(0)] BallotReceipt? Counted,
    [property: Id(1)] bool SupersededByPaper);

public static class BallotErrorCodes
{
    public const string RoundNotFound = "round-not-found";
    public const string NotOnRegister = "not-on-register";
    public const string UnderAge = "under-age";
    public const string WindowNotOpen = "window-not-open";
    public const string WindowClosed = "window-closed";
    public const string NoChoice = "no-choice";
    public const string TooManyChoices = "too-many-choices";
    public const string DuplicateChoice = "duplicate-choice";
    public const string UnknownProposal = "unknown-proposal";
    public const string SupersededByPaper = "superseded-by-paper";
    public const string IdempotencyKeyReused = Common.RememberedRequests.ReusedCode;
    public const string RateLimited = "rate-limited";
    public const string MissingIdempotencyKey = "missing-idempotency-key";
    public const string CastDateOutsideWindow = "cast-date-outside-window";

    /// <summary>Storage did not confirm the ballot (an outage or a failover): nothing was counted; retry with the same idempotency key.</summary>
    public const string NotStored = "ballot-not-stored";
}
