using Chiyoda.Civic.Abstractions.Common;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.PaperBallots;

/// <summary>A ward facility where residents vote on paper (code, as printed on the ballot box label, and name).</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-facility")]
public sealed record PaperFacility(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name);

/// <summary>
/// One keyed line of a batch, as a clerk typed it or a file gave it, already normalised (NFKC, trimmed).
/// <see cref="Malformed"/> says why the line cannot be read as a ballot at all; <see cref="Unreadable"/>
/// is a ballot whose marks cannot be read (it is recorded as invalid). <see cref="Status"/> and
/// <see cref="Reason"/> are the check made at keying time (<see cref="PaperLineStatuses"/>), for the report only:
/// the outcome that counts is decided at commit.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.paper-line")]
public sealed record PaperLine(
    [property: Id(0)] int Line,
    [property: Id(1)] string Serial,
    [property: Id(2)] string Facility,
    [property: Id(3)] string CastDate,
    [property: Id(4)] string VoterKey,
    [property: Id(5)] string Choices,
    [property: Id(6)] bool Unreadable = false,
    [property: Id(7)] string? Malformed = null,
    [property: Id(8)] string Status = PaperLineStatuses.AcceptedForCommit,
    [property: Id(9)] string? Reason = null)
{
    /// <summary>What two keyings must agree on: every field a clerk reads off the ballot (choices in any order).</summary>
    public string Content => string.Join('|', Serial, Facility, CastDate, VoterKey, PaperLineRules.CanonicalChoices(Choices), Unreadable ? "unreadable" : "", Malformed ?? "");
}

/// <summary>What became of a line when its batch was committed: one of <see cref="PaperLineStatuses"/> final values, with a reason when it does not count.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-line-outcome")]
public sealed record PaperLineOutcome(
    [property: Id(0)] string Outcome,
    [property: Id(1)] string? Reason = null);

public static class PaperLineStatuses
{
    /// <summary>Keying time only: nothing wrong found; the commit decides between accepted, superseding online and duplicate.</summary>
    public const string AcceptedForCommit = "accepted-for-commit";
    public const string Accepted = "accepted";
    public const string AcceptedSupersedingOnline = "accepted-superseding-online";
    public const string Duplicate = "duplicate";
    public const string Ineligible = "ineligible";
    public const string Invalid = "invalid";
    public const string Malformed = "malformed";

    /// <summary>
    /// The serial was already entered (earlier in the same keying, or recorded by another batch): the same ballot
    /// entered again, not another ballot. Never counted, never a duplicate, never in published totals.
    /// </summary>
    public const string Reentered = "re-entered";
}

public static class PaperReasons
{
    public const string Unreadable = "unreadable";
    public const string RepeatedSerial = "repeated-serial";
    public const string SerialAlreadyRecorded = "serial-already-recorded";
    public const string WrongFieldCount = "wrong-field-count";
    public const string BadQuoting = "bad-quoting";
    public const string MissingSerial = "missing-serial";
    public const string BadSerial = "bad-serial";
    public const string MissingCastDate = "missing-cast-date";
    public const string BadCastDate = "bad-cast-date";
    public const string MissingVoterKey = "missing-voter-key";
    public const string BadVoterKey = "bad-voter-key";
    public const string DuplicateOfPrefix = "duplicate-of:";

    /// <summary>The line names a facility other than its batch's: every ballot in a box was cast at the batch's facility.</summary>
    public const string FacilityMismatch = "facility-mismatch";
}

/// <summary>One keying of a batch: who keyed it, how, and its lines.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-keying")]
public sealed record PaperKeying(
    [property: Id(0)] string ClerkSub,
    [property: Id(1)] string ClerkName,
    [property: Id(2)] string Source,
    [property: Id(3)] IReadOnlyList<PaperLine> Lines);

public static class PaperKeyingSources
{
    public const string Typed = "typed";
    public const string File = "file";
}

/// <summary>Opening a batch: one box of paper ballots from one facility and session, with the number counted in the box.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-batch-opening")]
public sealed record PaperBatchOpening(
    [property: Id(0)] string FacilityCode,
    [property: Id(1)] DateOnly SessionDate,
    [property: Id(2)] int BallotsInBox,
    [property: Id(3)] string ActorSub,
    [property: Id(4)] string ActorName);

/// <summary>An administrator's decision on one disagreement: take the first or second keying's line, or the line as re-keyed.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-resolution")]
public sealed record PaperResolution(
    [property: Id(0)] string Key,
    [property: Id(1)] string Choice,
    [property: Id(2)] PaperLine? Line,
    [property: Id(3)] string ActorSub,
    [property: Id(4)] string ActorName,
    [property: Id(5)] DateTimeOffset At);

public static class PaperResolutionChoices
{
    public const string First = "first";
    public const string Second = "second";
    public const string Rekey = "rekey";
}

/// <summary>Two keyings that differ on one ballot (a side is null when that keying has no such line).</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-disagreement")]
public sealed record PaperDisagreement(
    [property: Id(0)] string Key,
    [property: Id(1)] PaperLine? First,
    [property: Id(2)] PaperLine? Second)
{
    /// <summary>
    /// The disagreement as shown to anyone who reads it: the serial and only the fields the keyings dispute, so a
    /// voter key appears beside choices only when both are in dispute (or one keying lacks the line altogether).
    /// </summary>
    public PaperDisagreement OnlyDisputed()
    {
        if (First is null || Second is null)
        {
            return this;
        }

        var sameVoter = First.VoterKey == Second.VoterKey;
        var sameChoices = PaperLineRules.CanonicalChoices(First.Choices) == PaperLineRules.CanonicalChoices(Second.Choices) && First.Unreadable == Second.Unreadable;
        PaperLine Cut(PaperLine line) => line with
        {
            VoterKey = sameVoter ? "" : line.VoterKey,
            Choices = sameChoices ? "" : line.Choices,
            Facility = First.Facility == Second.Facility ? "" : line.Facility,
            CastDate = First.CastDate == Second.CastDate ? "" : line.CastDate,
        };
        return this with { First = Cut(First), Second = Cut(Second) };
    }
}

/// <summary>Who keyed a batch, when, and what the keying-time checks found.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-keying-summary")]
public sealed record PaperKeyingSummary(
    [property: Id(0)] int Slot,
    [property: Id(1)] string ClerkSub,
    [property: Id(2)] string ClerkName,
    [property: Id(3)] string Source,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] int Lines,
    [property: Id(6)] IReadOnlyDictionary<string, int> Statuses,
    [property: Id(7)] int Generation,
    [property: Id(8)] int Chunks);

/// <summary>
/// The numbers of a batch (or of a facility's batches): ballots counted in the box, lines keyed, and
/// what became of them. Before commit the outcome columns hold the keying-time checks of the agreed lines.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.paper-reconciliation")]
public sealed record PaperReconciliation(
    [property: Id(0)] int BallotsInBox,
    [property: Id(1)] int Keyed,
    [property: Id(2)] int Accepted,
    [property: Id(3)] int AcceptedSupersedingOnline,
    [property: Id(4)] int Duplicate,
    [property: Id(5)] int Ineligible,
    [property: Id(6)] int Invalid,
    [property: Id(7)] int Malformed,
    [property: Id(8)] int Pending,
    [property: Id(9)] int Reentered = 0)
{
    public static PaperReconciliation Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// Every ballot in the box was keyed (a serial entered twice is one ballot: re-entered lines are not ballots)
    /// and every keyed line could be read as a ballot.
    /// </summary>
    public bool AddsUp => BallotsInBox == Keyed - Reentered && Malformed == 0
        && Keyed == Accepted + AcceptedSupersedingOnline + Duplicate + Ineligible + Invalid + Malformed + Pending + Reentered;

    public PaperReconciliation Add(PaperReconciliation other) => new(
        BallotsInBox + other.BallotsInBox, Keyed + other.Keyed, Accepted + other.Accepted,
        AcceptedSupersedingOnline + other.AcceptedSupersedingOnline, Duplicate + other.Duplicate,
        Ineligible + other.Ineligible, Invalid + other.Invalid, Malformed + other.Malformed, Pending + other.Pending, Reentered + other.Reentered);

    public static PaperReconciliation From(int ballotsInBox, IEnumerable<string> statuses)
    {
        int keyed = 0, accepted = 0, superseding = 0, duplicate = 0, ineligible = 0, invalid = 0, malformed = 0, pending = 0, reentered = 0;
        foreach (var status in statuses)
        {
            keyed++;
            switch (status)
            {
                case PaperLineStatuses.Accepted: accepted++; break;
                case PaperLineStatuses.AcceptedSupersedingOnline: superseding++; break;
                case PaperLineStatuses.Duplicate: duplicate++; break;
                case PaperLineStatuses.Ineligible: ineligible++; break;
                case PaperLineStatuses.Invalid: invalid++; break;
                case PaperLineStatuses.Malformed: malformed++; break;
                case PaperLineStatuses.Reentered: reentered++; break;
                default: pending++; break;
            }
        }

        return new(ballotsInBox, keyed, accepted, superseding, duplicate, ineligible, invalid, malformed, pending, reentered);
    }
}

public static class PaperBatchStatuses
{
    public const string Open = "open";
    public const string KeyedOnce = "keyed-once";
    public const string Disagreement = "disagreement";
    public const string Agreed = "agreed";
    public const string Committing = "committing";
    public const string Committed = "committed";
}

/// <summary>A batch as the round's list shows it.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-batch-summary")]
public sealed record PaperBatchSummary(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string FacilityCode,
    [property: Id(2)] DateOnly SessionDate,
    [property: Id(3)] int BallotsInBox,
    [property: Id(4)] string Status,
    [property: Id(5)] int Keyings,
    [property: Id(6)] PaperReconciliation Reconciliation,
    [property: Id(7)] DateTimeOffset OpenedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt);

/// <summary>Where a commit stands: chunks applied of the total, and why it stopped if it did.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-commit-progress")]
public sealed record PaperCommitProgress(
    [property: Id(0)] int ChunksApplied,
    [property: Id(1)] int Chunks,
    [property: Id(2)] int LinesDecided,
    [property: Id(3)] int Lines,
    [property: Id(4)] string? LastError,
    [property: Id(5)] string? ForcedReason,
    [property: Id(6)] string? CommittedBy,
    [property: Id(7)] DateTimeOffset? StartedAt,
    [property: Id(8)] DateTimeOffset? FinishedAt);

/// <summary>Everything staff see of a batch (never the votes per proposal).</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-batch-view")]
public sealed record PaperBatchView(
    [property: Id(0)] string RoundId,
    [property: Id(1)] PaperBatchSummary Summary,
    [property: Id(2)] string OpenedBy,
    [property: Id(3)] IReadOnlyList<PaperKeyingSummary> Keyings,
    [property: Id(4)] IReadOnlyList<PaperDisagreement> Disagreements,
    [property: Id(5)] int DisagreementCount,
    [property: Id(6)] IReadOnlyList<PaperResolution> Resolutions,
    [property: Id(7)] PaperCommitProgress? Commit);

/// <summary>A page of a batch's lines with what became of each (final outcome after commit, keying-time check before).</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-line-page")]
public sealed record PaperLinePage(
    [property: Id(0)] IReadOnlyList<PaperLineReport> Lines,
    [property: Id(1)] int Total,
    [property: Id(2)] bool Final);

[GenerateSerializer, Immutable, Alias("civic.paper-line-report")]
public sealed record PaperLineReport(
    [property: Id(0)] int Line,
    [property: Id(1)] string Serial,
    [property: Id(2)] string VoterKey,
    [property: Id(3)] string Outcome,
    [property: Id(4)] string? Reason);

public static class PaperErrorCodes
{
    public const string RoundNotFound = "round-not-found";
    public const string BatchNotFound = "batch-not-found";
    public const string BatchExists = "batch-exists";
    public const string FacilityNotFound = "facility-not-found";
    public const string InvalidBatch = "invalid-batch";
    public const string InvalidFacilities = "invalid-facilities";
    public const string BatchCommitted = "batch-committed";
    public const string BatchCommitting = "batch-committing";
    public const string KeyingsComplete = "keyings-complete";
    public const string EmptyKeying = "empty-keying";
    public const string TooManyLines = "too-many-lines";
    public const string NeedsSecondKeying = "needs-second-keying";
    public const string KeyingsDisagree = "keyings-disagree";
    public const string KeyingsTooDifferent = "keyings-too-different";
    public const string ReconciliationMismatch = "reconciliation-mismatch";
    public const string NoSuchDisagreement = "no-such-disagreement";
    public const string InvalidResolution = "invalid-resolution";
    public const string NotAPaperBallotFile = "not-a-paper-ballot-file";
    public const string FileTooLarge = "file-too-large";
}

/// <summary>The facilities and the batch list of a round's paper channel (key: the round id).</summary>
[Alias("civic.IPaperRoundGrain")]
public interface IPaperRoundGrain : IGrainWithStringKey
{
    [Alias("set-facilities")]
    Task SetFacilitiesAsync(IReadOnlyList<PaperFacility> facilities);

    [Alias("facilities"), ReadOnly]
    Task<IReadOnlyList<PaperFacility>> GetFacilitiesAsync();

    /// <summary>Adds or refreshes a batch's line in the list (batches call this after every change; a repeat changes nothing).</summary>
    [Alias("record-batch")]
    Task RecordBatchAsync(PaperBatchSummary summary);

    [Alias("batches"), ReadOnly]
    Task<IReadOnlyList<PaperBatchSummary>> ListBatchesAsync();
}

/// <summary>
/// One box of paper ballots (key "{roundId}:{batchId}"): both keyings, their comparison and its
/// resolutions, and the commit's durable progress. The lines themselves live in <see cref="IPaperChunkGrain"/>s.
/// </summary>
[Alias("civic.IPaperBatchGrain")]
public interface IPaperBatchGrain : IGrainWithStringKey
{
    /// <summary>Opens the batch; a repeat of the same opening succeeds, a different one under the same id is refused.</summary>
    [Alias("open")]
    Task<CommandResult<PaperBatchView>> OpenAsync(PaperBatchOpening opening);

    /// <summary>Stores a clerk's keying (replacing that clerk's earlier one) and compares it with the other clerk's.</summary>
    [Alias("add-keying")]
    Task<CommandResult<PaperBatchView>> AddKeyingAsync(PaperKeying keying);

    [Alias("resolve")]
    Task<CommandResult<PaperBatchView>> ResolveAsync(PaperResolution resolution);

    /// <summary>
    /// Starts (or resumes) the commit and returns at once; the batch reports its progress. A commit
    /// whose numbers do not add up needs <paramref name="forcedReason"/> (administrators only, checked by the caller).
    /// </summary>
    [Alias("commit")]
    Task<CommandResult<PaperBatchView>> CommitAsync(string actorSub, string actorName, string? forcedReason);

    /// <summary>
    /// After the round's ballots are purged: forgets the marks the batch was keyed with (keyings, disagreements,
    /// resolutions), as a commit does, also for a batch that was never committed (found after certification, or left in
    /// disagreement), so nothing stored links a voter key to choices any more. Idempotent.
    /// </summary>
    [Alias("forget-choices")]
    Task ForgetChoicesAsync();

    /// <summary>The batch as it stands; once committed, its outcome counts include later revisions (not [ReadOnly]: it may fold them in).</summary>
    [Alias("get")]
    Task<PaperBatchView?> GetAsync();

    /// <summary>Waits (at most <paramref name="timeout"/>) for a running commit to finish or stop, then answers the batch as it stands.</summary>
    [Alias("wait-commit"), AlwaysInterleave]
    Task<PaperBatchView?> WaitForCommitAsync(TimeSpan timeout);

    /// <summary>The lines of the batch with their outcome: final once committed, else the first keying's checks.</summary>
    [Alias("lines"), ReadOnly]
    Task<PaperLinePage> GetLinesAsync(int skip, int take);
}

/// <summary>
/// Up to <see cref="PaperChunking.LinesPerChunk"/> lines of one keying or of a commit (key
/// "{roundId}:{batchId}:{part}:{n}"), with the commit outcome of each line once decided.
/// </summary>
[Alias("civic.IPaperChunkGrain")]
public interface IPaperChunkGrain : IGrainWithStringKey
{
    [Alias("write")]
    Task WriteAsync(IReadOnlyList<PaperLine> lines);

    [Alias("read"), ReadOnly]
    Task<PaperChunk> ReadAsync();

    /// <summary>Records outcomes by position in the chunk; an outcome already recorded is kept (the first decision stands).</summary>
    [Alias("record-outcomes")]
    Task RecordOutcomesAsync(IReadOnlyList<(int Index, PaperLineOutcome Outcome)> outcomes);

    /// <summary>
    /// Forgets the marks of every line, once its batch is committed: the voters' ballots hold what counts, and
    /// nothing else may keep a voter key beside choices. Serial, voter key and outcome stay for the batch report.
    /// </summary>
    [Alias("scrub-choices")]
    Task ScrubChoicesAsync();
}

[GenerateSerializer, Immutable, Alias("civic.paper-chunk")]
public sealed record PaperChunk(
    [property: Id(0)] IReadOnlyList<PaperLine> Lines,
    [property: Id(1)] IReadOnlyList<PaperLineOutcome?> Outcomes);

/// <summary>
/// Later changes to the outcomes of one batch's committed lines (key "{roundId}:{batchId}"). A voter's ballot
/// grain writes here when an earlier-cast paper ballot of theirs, committed in another batch, takes the count
/// over from a ballot of this batch; the batch reads it to report each line's final outcome. A leaf (it calls
/// nothing), so a ballot grain can write to it while any batch commit is waiting on that ballot grain.
/// </summary>
[Alias("civic.IPaperOutcomeRevisionsGrain")]
public interface IPaperOutcomeRevisionsGrain : IGrainWithStringKey
{
    /// <summary>Records revisions; for each serial the one with the highest version is kept, so replays and reordering change nothing.</summary>
    [Alias("record")]
    Task RecordAsync(IReadOnlyList<PaperOutcomeRevision> revisions);

    [Alias("get"), ReadOnly]
    Task<PaperOutcomeRevisions> GetAsync();
}

/// <summary>The outcome of one serial as it now stands, at the version of its voter's ballot that decided it.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-outcome-revision")]
public sealed record PaperOutcomeRevision(
    [property: Id(0)] string Serial,
    [property: Id(1)] PaperLineOutcome Outcome,
    [property: Id(2)] int Version);

/// <summary>All revisions of a batch; <see cref="Version"/> grows with every change, so a reader knows when to look again.</summary>
[GenerateSerializer, Immutable, Alias("civic.paper-outcome-revisions")]
public sealed record PaperOutcomeRevisions(
    [property: Id(0)] int Version,
    [property: Id(1)] IReadOnlyDictionary<string, PaperOutcomeRevision> BySerial);

/// <summary>
/// Which batch recorded each ballot serial of a round (key "{roundId}:{shard}", shard by a stable hash
/// of the serial), so one serial counts once even when it turns up in two batches.
/// </summary>
[Alias("civic.IPaperSerialRegistryGrain")]
public interface IPaperSerialRegistryGrain : IGrainWithStringKey
{
    /// <summary>Claims the serials for the batch; answers, for each, the other batch that already holds it (null when it is this batch's).</summary>
    [Alias("claim")]
    Task<IReadOnlyList<string?>> ClaimAsync(string batchId, IReadOnlyList<string> serials);

    /// <summary>The batch that holds each serial, or null.</summary>
    [Alias("find"), ReadOnly]
    Task<IReadOnlyList<string?>> FindAsync(IReadOnlyList<string> serials);
}

public static class PaperChunking
{
    /// <summary>~2,000 lines of ~50 bytes of JSON each keep a chunk near 100 KB, far below Azure Table's ~960 KB entity cap.</summary>
    public const int LinesPerChunk = 2000;

    /// <summary>A batch is one box: 200,000 lines is far beyond any box, and bounds a batch's chunk list.</summary>
    public const int MaxLinesPerBatch = 200_000;

    /// <summary>Disagreements are kept in the batch's own state; beyond this many the keyings are too different to resolve line by line.</summary>
    public const int MaxDisagreements = 1000;

    /// <summary>128 shards keep a shard near 40 KB for 100,000 paper ballots and under ~1 MB up to ~2.5 million.</summary>
    public const int SerialShards = 128;

    public static string BatchKey(string roundId, string batchId) => $"{roundId}:{batchId}";

    public static string ChunkKey(string roundId, string batchId, string part, int chunk) => $"{roundId}:{batchId}:{part}:{chunk}";

    public static string KeyingPart(int generation) => $"k{generation}";

    public const string CommitPart = "c";

    public static string SerialShardKey(string roundId, string serial) => $"{roundId}:{Common.ShardHash.Shard(serial, SerialShards)}";
}
