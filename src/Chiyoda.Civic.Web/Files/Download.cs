using System.Collections.Concurrent;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Chiyoda.Civic.Web.Files;

/// <summary>
/// One file the platform offers for download (open data, the calendar, the audit log), served the same way by
/// every download endpoint through <see cref="Download.Serve"/>.
/// </summary>
/// <param name="Content">The exact bytes of the file (for a CSV, with its BOM): every digest is taken over them.</param>
/// <param name="LastModified">When the file's content last changed (publication, the round's last change, the log's last entry).</param>
/// <param name="FileName">A name to save it under (Content-Disposition: attachment), or null to show it inline (JSON).</param>
/// <param name="Public">
/// Anyone may read it and it holds no secret: it may be cached by shared caches and compressed. A file for one
/// reader only (the audit log, a results preview) is never compressed: a compressed response that mixes a secret
/// with text an attacker can influence leaks the secret through its length over HTTPS (BREACH).
/// </param>
public sealed record DownloadFile(byte[] Content, string MediaType, DateTimeOffset LastModified, string? FileName, bool Public);

/// <summary>
/// HTTP for downloads, in one place: a strong ETag from the content's SHA-256, Last-Modified, conditional GET
/// (If-None-Match first, else If-Modified-Since: 304 without the body), <c>Repr-Digest</c> (RFC 9530; it replaces the
/// obsolete RFC 3230 <c>Digest</c>), and Brotli or gzip for public files when the client accepts them. A compressed
/// response is another representation: its ETag carries the coding (<c>"…-br"</c>) and its Repr-Digest is taken over
/// the compressed bytes, as RFC 9530 defines it; the identity response's Repr-Digest is the SHA-256 the results JSON
/// lists. HEAD is answered by the same code (see <c>HttpExtensions.UseCivicHead</c>).
/// </summary>
public static class Download
{
    private static readonly ConditionalWeakTable<byte[], ConcurrentDictionary<string, Encoded>> Encodings = new();

    private sealed record Encoded(byte[] Content, byte[] Sha256);

    public static IResult Serve(DownloadFile file, string? cacheControl = null) => new Result(file, cacheControl);

    /// <summary>The strong entity tag of content with this SHA-256: its base64url, quoted.</summary>
    public static string ETagOf(ReadOnlySpan<byte> sha256, string? coding = null) =>
        "\"" + Convert.ToBase64String(sha256).TrimEnd('=').Replace('+', '-').Replace('/', '_') + (coding is null ? "" : "-" + coding) + "\"";

    /// <summary>The RFC 9530 field value for a SHA-256: <c>sha-256=:base64:</c>.</summary>
    public static string ReprDigestOf(ReadOnlySpan<byte> sha256) => $"sha-256=:{Convert.ToBase64String(sha256)}:";

    private sealed class Result(DownloadFile file, string? cacheControl) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var request = http.Request;
            var response = http.Response;
            var identity = Identity(file.Content);
            var coding = file.Public && file.Content.Length > 256 && Compressible(file.MediaType) ? Coding(request) : null;
            var sent = coding is null ? identity : Encode(file.Content, coding);
            var headers = response.Headers;
            headers.ETag = ETagOf(identity.Sha256, coding);
            headers.LastModified = HeaderUtilities.FormatDate(Seconds(file.LastModified));
            headers.CacheControl = cacheControl ?? (file.Public ? "public, max-age=300" : "private, no-store");
            if (file.Public && Compressible(file.MediaType))
            {
                headers.Vary = HeaderNames.AcceptEncoding;
            }

            if (NotModified(request, ETagOf(identity.Sha256), file.LastModified))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            headers["Repr-Digest"] = ReprDigestOf(sent.Sha256);
            if (coding is not null)
            {
                headers.ContentEncoding = coding;
            }

            if (file.FileName is { } name)
            {
                var disposition = new ContentDispositionHeaderValue("attachment");
                disposition.SetHttpFileName(name);
                headers.ContentDisposition = disposition.ToString();
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = file.MediaType;
            response.ContentLength = sent.Content.Length;
            await response.Body.WriteAsync(sent.Content, http.RequestAborted);
        }
    }

    /// <summary>
    /// RFC 9110 §13.1.2 and §13.2.2: If-None-Match (weak comparison, so a tag with a coding suffix matches the
    /// identity tag it came from; * matches) decides when present; otherwise If-Modified-Since, to the second.
    /// </summary>
    private static bool NotModified(HttpRequest request, string etag, DateTimeOffset lastModified)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
            {
                return false;
            }

            var bare = etag.Trim('"');
            return tags.Any(t => t.Tag.ToString().Trim('"') is var tag && (tag == "*" || tag == bare || tag == bare + "-br" || tag == bare + "-gzip"));
        }

        return HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since)
            && Seconds(lastModified) <= since;
    }

    private static DateTimeOffset Seconds(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static bool Compressible(string mediaType) =>
        mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>br when the client accepts it, else gzip, else none (q=0 refuses a coding).</summary>
    internal static string? Coding(HttpRequest request)
    {
        if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var accepted))
        {
            return null;
        }

        double Quality(string coding) =>
            (accepted.FirstOrDefault(a => a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase))
                ?? accepted.FirstOrDefault(a => a.Value == "*")) is { } entry ? entry.Quality ?? 1 : 0;

        return Quality("br") > 0 ? "br" : Quality("gzip") > 0 ? "gzip" : null;
    }

    private static Encoded Identity(byte[] content) =>
        Encodings.GetOrCreateValue(content).GetOrAdd("identity", _ => new Encoded(content, SHA256.HashData(content)));

    /// <summary>Compressed once per content (published files are the same array for every request) and kept while the content lives.</summary>
    private static Encoded Encode(byte[] content, string coding) =>
        Encodings.GetOrCreateValue(content).GetOrAdd(coding, c =>
        {
            using var buffer = new MemoryStream(content.Length / 3 + 64);
            using (Stream compressor = c == "br"
                ? new BrotliStream(buffer, CompressionLevel.Optimal, leaveOpen: true)
                : new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                compressor.Write(content);
            }

            var bytes = buffer.ToArray();
            return new Encoded(bytes, SHA256.HashData(bytes));
        });
}
