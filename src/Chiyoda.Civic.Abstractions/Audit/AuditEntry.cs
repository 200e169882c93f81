using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Chiyoda.Civic.Abstractions.Common;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Audit;

/// <summary>
/// One staff action, as it stands in the append-only audit log. <see cref="EntryId"/> is chosen by
/// the caller and deterministic (derived from the command), so a retried command appends nothing twice.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.audit-entry")]
public sealed record AuditEntry(
    [property: Id(0)] string EntryId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string ActorSub,
    [property: Id(3)] string ActorName,
    [property: Id(4)] string Action,
    [property: Id(5)] string Subject,
    [property: Id(6)] string? Before,
    [property: Id(7)] string? After)
{
    public const int ValueMaxLength = 200;

    /// <summary>
    /// Keeps every entry small (the log is sized by entry count); long values are cut, never refused.
    /// Line breaks and other control characters become spaces, so each entry is exactly one line of
    /// <c>audit.csv</c> and the chain can be checked line by line with standard tools.
    /// </summary>
    public AuditEntry Bounded() => this with
    {
        EntryId = Cut(EntryId, 200)!,
        ActorSub = Cut(ActorSub, 100)!,
        ActorName = Cut(ActorName, 100)!,
        Action = Cut(Action, 60)!,
        Subject = Cut(Subject, 120)!,
        Before = Cut(Before, ValueMaxLength),
        After = Cut(After, ValueMaxLength),
    };

    private static string? Cut(string? value, int max)
    {
        if (value is null)
        {
            return null;
        }

        var oneLine = value.Any(char.IsControl) ? string.Concat(value.Select(c => char.IsControl(c) ? ' ' : c)) : value;
        return oneLine.Length <= max ? oneLine : oneLine[..(max - 1)] + "…";
    }
}

/// <summary>
/// An entry in its place in the round's chain: its sequence number (0, 1, 2, ...) and the SHA-256 of
/// the previous entry's line of <c>audit.csv</c> (<see cref="AuditCsv"/>), so changing, removing or
/// reordering any entry changes every digest after it.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.chained-audit-entry")]
public sealed record ChainedAuditEntry(
    [property: Id(0)] long Seq,
    [property: Id(1)] AuditEntry Entry,
    [property: Id(2)] string PreviousSha256)
{
    /// <summary>This entry's line of audit.csv (without its CRLF).</summary>
    public string Line => AuditCsv.Line(this);

    /// <summary>The SHA-256 of <see cref="Line"/>: what the next entry carries as its previous digest.</summary>
    public string Sha256 => AuditCsv.Sha256(Line);
}

/// <summary>Where one entry stands in the chain: its sequence number and the SHA-256 of its line.</summary>
[GenerateSerializer, Immutable, Alias("civic.audit-link")]
public sealed record AuditLink(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Sha256);

/// <summary>
/// The chain's head: how many entries it holds and the SHA-256 of the last one's line (the genesis
/// digest, 64 zeros, while empty). Published with the results, it fixes the first <see cref="Entries"/>
/// lines of audit.csv: anyone holding the file can recompute it.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.audit-head")]
public sealed record AuditHead(
    [property: Id(0)] long Entries,
    [property: Id(1)] string Sha256);

/// <summary>
/// The canonical form of the log, <c>audit.csv</c>: UTF-8 without BOM, RFC 4180, lines ended by CRLF, header
/// <see cref="Header"/>, entries oldest (seq 0) first. Entry n's <c>prev_sha256</c> is the lower-case hex SHA-256
/// of the UTF-8 bytes of entry n-1's line exactly as written (without its CRLF); entry 0's is <see cref="Genesis"/>.
/// The digests are computed from these very lines, so the file verifies with sha256sum or any SHA-256 tool.
/// </summary>
public static class AuditCsv
{
    public const string Header = "entry_id,at,actor_sub,actor_name,action,subject,before,after,seq,prev_sha256";

    public static readonly string Genesis = new('0', 64);

    /// <summary>One entry's line. Instants in Asia/Tokyo to the millisecond; cells written by <see cref="Common.CsvCell"/> (formula-leading values get a ').</summary>
    public static string Line(ChainedAuditEntry chained)
    {
        var e = chained.Entry;
        return string.Join(',', new[]
        {
            e.EntryId, WardClock.ToWardTime(e.At).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            e.ActorSub, e.ActorName, e.Action, e.Subject, e.Before ?? "", e.After ?? "",
            chained.Seq.ToString(CultureInfo.InvariantCulture), chained.PreviousSha256,
        }.Select(Field));
    }

    public static string Sha256(string line) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(line))).ToLowerInvariant();

    /// <summary>The whole file for these entries (in chain order).</summary>
    public static string File(IEnumerable<ChainedAuditEntry> entries)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var e in entries.OrderBy(e => e.Seq))
        {
            csv.Append(Line(e)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Field(string value) => Common.CsvCell.Write(value);
}

/// <summary>A page of the log, newest first.</summary>
[GenerateSerializer, Immutable, Alias("civic.audit-page")]
public sealed record AuditPage(
    [property: Id(0)] IReadOnlyList<AuditEntry> Entries,
    [property: Id(1)] int Total);

/// <summary>
/// The append-only audit log of a round. The one write is <see cref="AppendAsync"/>; there is no edit
/// or delete anywhere. Appending an entry whose id is already there does nothing (retries are safe).
/// </summary>
public interface IAuditLog
{
    Task AppendAsync(string roundId, AuditEntry entry);

    /// <summary>Entries newest first; <paramref name="action"/> filters by action prefix (e.g. "proposal.").</summary>
    Task<AuditPage> ListAsync(string roundId, int skip, int take, string? action = null, string? subject = null);

    /// <summary>The chain's head now.</summary>
    Task<AuditHead> HeadAsync(string roundId);

    /// <summary>Every entry in chain order (seq 0 first), for audit.csv.</summary>
    Task<IReadOnlyList<ChainedAuditEntry>> ChainAsync(string roundId);
}

/// <summary>
/// A round's audit chain (key: round id): the one activation that gives each new entry its sequence number
/// and previous digest, so the log has one order. Entries are stored in <see cref="IAuditSegmentGrain"/>s of
/// <see cref="SegmentCapacity"/>; which ids are already in the chain is kept in <see cref="IAuditIndexGrain"/>s.
/// </summary>
[Alias("civic.IAuditChainGrain")]
public interface IAuditChainGrain : IGrainWithStringKey
{
    /// <summary>Fixed forever: entry n lives in segment n / SegmentCapacity.</summary>
    public const int SegmentCapacity = 100;

    /// <summary>Appends the entry, or (an id already in the chain) returns where the first copy stands.</summary>
    [Alias("append")]
    Task<AuditLink> AppendAsync(AuditEntry entry);

    [Alias("head"), ReadOnly]
    Task<AuditHead> HeadAsync();

    /// <summary>Entries with seq from <paramref name="fromSeq"/>, at most <paramref name="take"/>, in chain order.</summary>
    [Alias("read"), ReadOnly]
    Task<IReadOnlyList<ChainedAuditEntry>> ReadAsync(long fromSeq, int take);
}

/// <summary>One segment of a round's chain (key <c>{roundId}:{n}</c>): entries n*100 .. n*100+99. Written only by the chain grain.</summary>
[Alias("civic.IAuditSegmentGrain")]
public interface IAuditSegmentGrain : IGrainWithStringKey
{
    [Alias("put")]
    Task PutAsync(ChainedAuditEntry entry);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<ChainedAuditEntry>> ListAsync();
}

/// <summary>An entry id and its place in the chain.</summary>
[GenerateSerializer, Immutable, Alias("civic.audit-index-item")]
public sealed record AuditIndexItem(
    [property: Id(0)] string EntryId,
    [property: Id(1)] long Seq);

/// <summary>Which entry ids a round's chain holds (key <c>{roundId}:{shard}</c>, shard = FNV-1a of the id mod 32). Written only by the chain grain.</summary>
[Alias("civic.IAuditIndexGrain")]
public interface IAuditIndexGrain : IGrainWithStringKey
{
    public const int ShardCount = 32;

    [Alias("find"), ReadOnly]
    Task<long?> FindAsync(string entryId);

    [Alias("add")]
    Task AddAsync(IReadOnlyList<AuditIndexItem> items);
}

/// <summary>
/// Changes that belong to no round (the ward's implementation status path) are chained under this key, beside the
/// rounds' chains; no round may take it as its id.
/// </summary>
public static class WardAudit
{
    public const string ChainKey = "ward";
}

/// <summary>Reaches a round's audit chain through grains; usable from grains (pass GrainFactory) and from web services.</summary>
public sealed class GrainAuditLog(IGrainFactory grains) : IAuditLog
{
    private const int ReadPage = 1_000;

    public Task AppendAsync(string roundId, AuditEntry entry) => Chain(roundId).AppendAsync(entry.Bounded());

    public Task<AuditHead> HeadAsync(string roundId) => Chain(roundId).HeadAsync();

    public async Task<AuditPage> ListAsync(string roundId, int skip, int take, string? action = null, string? subject = null)
    {
        skip = Math.Max(0, skip);
        take = Math.Clamp(take, 1, 500);
        if (string.IsNullOrEmpty(action) && string.IsNullOrEmpty(subject))
        {
            // Unfiltered pages read only the segments they show: newest first is the chain read backwards.
            var head = await HeadAsync(roundId);
            var to = head.Entries - skip;
            var from = Math.Max(0, to - take);
            var page = to <= 0 ? [] : await Chain(roundId).ReadAsync(from, (int)(to - from));
            return new AuditPage([.. page.OrderByDescending(e => e.Seq).Select(e => e.Entry)], (int)head.Entries);
        }

        var all = (await ChainAsync(roundId))
            .Select(e => e.Entry)
            .Where(e => string.IsNullOrEmpty(action) || e.Action.StartsWith(action, StringComparison.Ordinal))
            .Where(e => string.IsNullOrEmpty(subject) || e.Subject.Contains(subject, StringComparison.OrdinalIgnoreCase))
            .Reverse()
            .ToList();
        return new AuditPage([.. all.Skip(skip).Take(take)], all.Count);
    }

    public async Task<IReadOnlyList<ChainedAuditEntry>> ChainAsync(string roundId)
    {
        var chain = Chain(roundId);
        var entries = new List<ChainedAuditEntry>();
        while (true)
        {
            var page = await chain.ReadAsync(entries.Count, ReadPage);
            entries.AddRange(page);
            if (page.Count < ReadPage)
            {
                return entries;
            }
        }
    }

    private IAuditChainGrain Chain(string roundId) => grains.GetGrain<IAuditChainGrain>(roundId);
}
