using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Results;

/// <summary>One counted ballot as published: a random id, the channel and the ballot numbers chosen. Nothing links it back to a voter.</summary>
[GenerateSerializer, Immutable, Alias("civic.published-ballot")]
public sealed record PublishedBallot(
    [property: Id(0)] string BallotId,
    [property: Id(1)] BallotChannel Channel,
    [property: Id(2)] IReadOnlyList<int> Choices);

/// <summary>The one order of published ballots (ballots.csv rows, the PABULIB votes section).</summary>
public static class PublishedBallots
{
    /// <summary>
    /// Ordinal order of the random ballot ids, whatever order the certified chunks hold the ballots in: the order of rows
    /// then says nothing about when, where or by whom a ballot was cast, and the same ballots always give the same bytes.
    /// </summary>
    public static IReadOnlyList<PublishedBallot> InIdOrder(IEnumerable<PublishedBallot> ballots) =>
        [.. ballots.OrderBy(b => b.BallotId, StringComparer.Ordinal)];
}

/// <summary>Votes for one proposal on the ballot, with its rank (equal votes share a rank: ties are shown, never broken).</summary>
[GenerateSerializer, Immutable, Alias("civic.proposal-votes")]
public sealed record ProposalVotes(
    [property: Id(0)] int BallotNumber,
    [property: Id(1)] string ProposalId,
    [property: Id(2)] string Title,
    [property: Id(3)] string? TitleEn,
    [property: Id(4)] int Votes,
    [property: Id(5)] int Rank,
    [property: Id(6)] bool Tied);

/// <summary>Voters in one age band (ages <see cref="From"/>..<see cref="To"/> at the close of voting); null when the band is too small to show.</summary>
[GenerateSerializer, Immutable, Alias("civic.age-band")]
public sealed record AgeBandCount(
    [property: Id(0)] int From,
    [property: Id(1)] int? To,
    [property: Id(2)] int? Voters);

/// <summary>
/// The result table (counting words of the brief §3): voters are people whose ballot counted, votes the
/// valid choices on counted ballots; invalid and duplicate paper ballots are neither and have their own columns.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.result-table")]
public sealed record ResultTable(
    [property: Id(0)] int OnlineVoters,
    [property: Id(1)] int PaperVoters,
    [property: Id(2)] int Votes,
    [property: Id(3)] IReadOnlyList<ProposalVotes> Proposals,
    [property: Id(4)] int InvalidPaperBallots,
    [property: Id(5)] int DuplicatePaperBallots,
    [property: Id(6)] int Registered,
    [property: Id(7)] IReadOnlyList<AgeBandCount> AgeBands,
    [property: Id(8)] int KioskVoters = 0)
{
    public int Voters => OnlineVoters + PaperVoters + KioskVoters;

    /// <summary>Voters as a share of the register, 0..1 (0 without a register).</summary>
    public double Turnout => Registered == 0 ? 0 : (double)Voters / Registered;
}

/// <summary>One item on which the recount and the live tally disagree.</summary>
[GenerateSerializer, Immutable, Alias("civic.count-difference")]
public sealed record CountDifference(
    [property: Id(0)] string Item,
    [property: Id(1)] int Recount,
    [property: Id(2)] int Live);

/// <summary>
/// An official count: every stored ballot read again (<see cref="Recount"/>), compared with the live
/// tally. Any difference stops certification.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.count-report")]
public sealed record CountReport(
    [property: Id(0)] string CountId,
    [property: Id(1)] DateTimeOffset CountedAt,
    [property: Id(2)] string CountedBy,
    [property: Id(3)] ResultTable Recount,
    [property: Id(4)] int LiveOnlineVoters,
    [property: Id(5)] int LivePaperVoters,
    [property: Id(6)] IReadOnlyDictionary<int, int> LiveVotes,
    [property: Id(7)] IReadOnlyList<CountDifference> Differences,
    [property: Id(8)] int StoredBallots,
    [property: Id(9)] int PaperBatchesCommitting,
    [property: Id(10)] int LiveKioskVoters = 0)
{
    public bool Matches => Differences.Count == 0;
}

/// <summary>How the vote was closed: by the schedule (the reminder) or early by an administrator, with the reason.</summary>
[GenerateSerializer, Immutable, Alias("civic.close-record")]
public sealed record CloseRecord(
    [property: Id(0)] DateTimeOffset ClosedAt,
    [property: Id(1)] string BySub,
    [property: Id(2)] string ByName,
    [property: Id(3)] string? Reason,
    [property: Id(4)] bool Early);

/// <summary>
/// Which proposals are adopted. By default the top N of the round's rules; a tie across the cut-off is
/// never broken by the platform: <see cref="TiedAtCutoff"/> lists the ballot numbers an administrator
/// must decide between (with a public reason) before the results can be published.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.adoption")]
public sealed record Adoption(
    [property: Id(0)] IReadOnlyList<int> Adopted,
    [property: Id(1)] IReadOnlyList<int> TiedAtCutoff,
    [property: Id(2)] bool Overridden,
    [property: Id(3)] string? Reason,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string BySub,
    [property: Id(6)] string ByName,
    [property: Id(7)] int AdoptedCount)
{
    /// <summary>Needs an administrator's decision before publication.</summary>
    public bool Unresolved => !Overridden && TiedAtCutoff.Count > 0;

    /// <summary>The default: the top <paramref name="adoptedCount"/>; proposals tied across the cut-off are left undecided.</summary>
    public static Adoption Default(IReadOnlyList<ProposalVotes> proposals, int adoptedCount, DateTimeOffset at, string bySub, string byName)
    {
        var (adopted, tied) = CountingRules.Adopt(proposals, adoptedCount);
        return new(adopted, tied, false, null, at, bySub, byName, adoptedCount);
    }
}

/// <summary>The certified count: immutable once stored.</summary>
[GenerateSerializer, Immutable, Alias("civic.certified-results")]
public sealed record CertifiedResults(
    [property: Id(0)] string CountId,
    [property: Id(1)] ResultTable Table,
    [property: Id(2)] DateTimeOffset CertifiedAt,
    [property: Id(3)] string BySub,
    [property: Id(4)] string ByName,
    [property: Id(5)] int BallotChunks,
    [property: Id(6)] int Ballots);

/// <summary>Everything the results of a round are at this moment.</summary>
[GenerateSerializer, Immutable, Alias("civic.results-view")]
public sealed record ResultsView(
    [property: Id(0)] string RoundId,
    [property: Id(1)] CloseRecord? Close,
    [property: Id(2)] CountReport? LastCount,
    [property: Id(3)] CertifiedResults? Certified,
    [property: Id(4)] Adoption? Adoption,
    [property: Id(5)] DateTimeOffset? PublishedAt,
    [property: Id(6)] string? PublishedBy,
    [property: Id(7)] AuditHead? AuditHead = null,
    [property: Id(8)] BallotPurge? Purge = null)
{
    public bool IsPublished => PublishedAt is not null && Certified is not null;
}

/// <summary>
/// When the voter↔ballot links of a certified round were removed, by whom (an administrator, or the retention
/// schedule), and how many stored ballots went. The anonymised certified ballots stay: the count re-verifies from them.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.ballot-purge")]
public sealed record BallotPurge(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string BySub,
    [property: Id(2)] string ByName,
    [property: Id(3)] int BallotsRemoved);

public static class ResultsErrorCodes
{
    public const string NotClosed = "not-closed";
    public const string CountMismatch = "count-mismatch";
    public const string NotCertified = "not-certified";
    public const string AlreadyCertified = "already-certified";
    public const string AlreadyPublished = "already-published";
    public const string AdoptionTied = "adoption-tied";
    public const string InvalidAdoption = "invalid-adoption";
    public const string InvalidReason = "invalid-reason";
    public const string PaperCommitting = "paper-commit-in-progress";
    public const string NotPublished = "results-not-published";
    public const string NoShortlist = "no-shortlist";
    public const string BallotsPurged = "ballots-purged";
}

/// <summary>
/// The results of one round (key: round id): how voting closed, the last official count, the certified
/// count (immutable once stored), the adoption and the publication. Every command is idempotent.
/// </summary>
[Alias("civic.IResultsGrain")]
public interface IResultsGrain : IGrainWithStringKey
{
    /// <summary>Records how the vote closed; the first record stays.</summary>
    [Alias("record-close")]
    Task<ResultsView> RecordCloseAsync(CloseRecord close);

    /// <summary>Keeps the latest official count for administrators (nothing is certified by this).</summary>
    [Alias("record-count")]
    Task<ResultsView> RecordCountAsync(CountReport count);

    /// <summary>
    /// Certifies a count that matches the live tally: stores the anonymised ballots (already shuffled,
    /// random ids) and the table, and adopts the top N by default. A second certification returns the first.
    /// </summary>
    [Alias("certify")]
    Task<CommandResult<ResultsView>> CertifyAsync(CountReport count, IReadOnlyList<PublishedBallot> ballots, int adoptedCount, string bySub, string byName);

    /// <summary>An administrator's decision on which proposals are adopted, with a public reason. Refused once published.</summary>
    [Alias("set-adoption")]
    Task<CommandResult<ResultsView>> SetAdoptionAsync(IReadOnlyList<int> adopted, string reason, string bySub, string byName);

    /// <summary>
    /// Publishes the certified results with the audit chain's head at that moment (kept with the publication and
    /// published with the results: it fixes the log's first entries). A repeat answers the first publication.
    /// </summary>
    [Alias("publish")]
    Task<CommandResult<ResultsView>> PublishAsync(string bySub, string byName, AuditHead? auditHead = null);

    /// <summary>
    /// After certification: deletes every stored ballot of the round (the only records that link a voter to choices)
    /// and records the purge. Refused before certification. Repeating it deletes whatever is left and keeps the first record.
    /// </summary>
    [Alias("purge-ballots")]
    Task<CommandResult<ResultsView>> PurgeBallotsAsync(string bySub, string byName);

    [Alias("get"), ReadOnly]
    Task<ResultsView> GetAsync();
}

/// <summary>A slice of a certified round's anonymised ballots (key "{roundId}:{n}"), at most <see cref="Capacity"/> of them (~280 KB stored).</summary>
[Alias("civic.IResultsBallotChunkGrain")]
public interface IResultsBallotChunkGrain : IGrainWithStringKey
{
    public const int Capacity = 5_000;

    [Alias("store")]
    Task StoreAsync(IReadOnlyList<PublishedBallot> ballots);

    [Alias("get"), ReadOnly]
    Task<IReadOnlyList<PublishedBallot>> GetAsync();
}

/// <summary>Watches the ward's rounds for the close of voting (key "ward"), woken by a durable Orleans reminder.</summary>
[Alias("civic.ICloseWatchGrain")]
public interface ICloseWatchGrain : IGrainWithStringKey
{
    public const string WardKey = "ward";

    /// <summary>Registers the reminder (idempotent).</summary>
    [Alias("start")]
    Task StartAsync();

    /// <summary>Records the close of every round whose window has ended and that has no close record yet; returns their ids.</summary>
    [Alias("check")]
    Task<IReadOnlyList<string>> CheckAsync();
}
