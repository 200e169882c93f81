using System.Security.Cryptography;
using System.Text.Json;

namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>What a grain knows of a request id it is given again.</summary>
public enum RequestSeen
{
    /// <summary>Not remembered: carry the command out.</summary>
    New,

    /// <summary>The same id with the same content (or an entry remembered before digests, which cannot tell): answer as the first time.</summary>
    Repeated,

    /// <summary>The same id with other content: refuse (<see cref="RememberedRequests.ReusedCode"/>) rather than answer with the old result.</summary>
    Reused,
}

/// <summary>One remembered request: its id, a digest of what it asked, and a reference to what it made (e.g. a comment id).</summary>
[GenerateSerializer, Immutable, Alias("civic.remembered-request-entry")]
public sealed record RememberedRequestEntry(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string? Digest,
    [property: Id(2)] string? Result);

/// <summary>
/// The last few requests a grain carried out, by their caller-supplied ids, each with a SHA-256 digest of the command.
/// A retry (same id, same command) is answered as the first time and changes nothing; the same id with another command is
/// told apart and refused, so a caller never takes an old result for the new content it sent. Kept in grain state; the
/// oldest entry goes once <c>capacity</c> are held, so the state stays small. Entries stored before digests existed
/// (<see cref="RememberedRequestEntry.Digest"/> null) match any content, as they did then.
/// </summary>
[GenerateSerializer, Alias("civic.remembered-requests")]
public sealed class RememberedRequests
{
    /// <summary>The refusal's code: the one the ballots' <c>Idempotency-Key</c> already uses, so one concept has one code.</summary>
    public const string ReusedCode = "idempotency-key-reused";

    /// <summary>
    /// The longest request id any command takes, wherever it comes from (an <c>Idempotency-Key</c> header or a body's
    /// <c>requestId</c>): one limit, so an id one operation takes is never refused by another.
    /// </summary>
    public const int MaxRequestIdLength = 100;

    private static readonly JsonSerializerOptions Canonical = new() { WriteIndented = false };

    /// <summary>Oldest first.</summary>
    [Id(0)] public List<RememberedRequestEntry> Entries { get; set; } = [];

    /// <summary>Whether <paramref name="requestId"/> was carried out before, and with the same command; <paramref name="result"/> is what it made.</summary>
    public RequestSeen Check(string requestId, string digest, out string? result)
    {
        var entry = Entries.FindLast(e => e.RequestId == requestId);
        result = entry?.Result;
        return entry switch
        {
            null => RequestSeen.New,
            { Digest: null } => RequestSeen.Repeated,
            _ when string.Equals(entry.Digest, digest, StringComparison.Ordinal) => RequestSeen.Repeated,
            _ => RequestSeen.Reused,
        };
    }

    /// <summary>Remembers a request carried out, forgetting the oldest beyond <paramref name="capacity"/>.</summary>
    public void Remember(string requestId, string? digest, string? result, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Entries.RemoveAll(e => e.RequestId == requestId);
        Entries.Add(new RememberedRequestEntry(requestId, digest, result));
        if (Entries.Count > capacity)
        {
            Entries.RemoveRange(0, Entries.Count - capacity);
        }
    }

    /// <summary>
    /// Takes over request ids stored in an older shape (no digest), oldest first, behind nothing newer: used once when a
    /// grain's state from before this class loads, so a retry of those requests is still answered as before.
    /// </summary>
    public void Adopt(IEnumerable<(string RequestId, string? Result)> legacy, int capacity)
    {
        var known = Entries.Select(e => e.RequestId).ToHashSet(StringComparer.Ordinal);
        var older = legacy.Where(l => known.Add(l.RequestId)).Select(l => new RememberedRequestEntry(l.RequestId, null, l.Result)).ToList();
        Entries.InsertRange(0, older);
        if (Entries.Count > capacity)
        {
            Entries.RemoveRange(0, Entries.Count - capacity);
        }
    }

    /// <summary>
    /// SHA-256 (lower-case hex) of a canonical serialisation of a command: its name, then its parts as one JSON array
    /// (System.Text.Json: properties in declaration order, no white space, numbers as written by their type). The same
    /// command always gives the same digest; any changed part gives another.
    /// </summary>
    public static string Digest(string command, params object?[] parts)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes<object?[]>([command, .. parts], Canonical);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
