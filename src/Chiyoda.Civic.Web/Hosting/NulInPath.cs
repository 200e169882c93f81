using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// A NUL (<c>%00</c>) in a request's path, answered by the platform rather than by Kestrel. Kestrel decodes the path while
/// it parses the request line and refuses a NUL there with an empty 400 before any application code runs, so no problem
/// details (or page) could be written. This connection middleware rewrites, in an HTTP/1.x request line's path only, each
/// <c>%00</c> to <c>%C0</c> in place (the same three bytes' room): a byte no UTF-8 text holds, which Kestrel leaves
/// percent-encoded in the path, and which <see cref="Holds"/> then finds, so the request is refused like any other
/// control character in the address (<c>invalid-address</c> for the API, the not-found page elsewhere). A <c>%C0</c> a client
/// sends itself is refused the same way (it is never part of a valid address). Best effort: a request line split between
/// two reads of the connection, HTTP/2 and a TLS connection Kestrel itself decrypts still get Kestrel's empty 400.
/// </summary>
public static class NulInPath
{
    /// <summary>The marker the rewrite leaves in the raw and in the decoded path.</summary>
    public const string Marker = "%C0";

    public static void Use(ListenOptions listen) => listen.Use(next => async connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new Duplex(new RewritingReader(transport.Input), transport.Output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    });

    /// <summary>Where in the request's path a NUL (or <c>%C0</c>) stands (0-based, in the decoded path), or -1.</summary>
    public static int Holds(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var at = path.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return -1;
        }

        // Only as sent: "%25C0" decodes to the same text and is an ordinary address.
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return (query < 0 ? raw : raw[..query]).Contains(Marker, StringComparison.OrdinalIgnoreCase) ? at : -1;
    }

    /// <summary>Rewrites <c>%00</c> in a request line's path to <see cref="Marker"/>, in the buffer the server parses next.</summary>
    internal static void Rewrite(Span<byte> span)
    {
        var from = 0;
        while (span[from..].IndexOf("%00"u8) is var found and >= 0)
        {
            var at = from + found;
            if (InRequestLinePath(span, at))
            {
                span[at + 1] = (byte)'C';
            }

            from = at + 3;
        }
    }

    /// <summary>
    /// Whether <paramref name="at"/> is in the path of a request line: the line (from the buffer's start or after a line
    /// feed) starts with an HTTP method and one space, and everything between there and <paramref name="at"/> is printable
    /// ASCII other than a query's <c>?</c> or a fragment's <c>#</c>. A body is never where a server reads a request line, and
    /// a body line shaped so (or TLS ciphertext, which is random bytes) is not met in practice.
    /// </summary>
    internal static bool InRequestLinePath(ReadOnlySpan<byte> span, int at)
    {
        var start = span[..at].LastIndexOf((byte)'\n') + 1;
        var line = span[start..at];
        var space = line.IndexOf((byte)' ');
        if (space is < 3 or > 7 || !Methods.Contains(System.Text.Encoding.ASCII.GetString(line[..space])))
        {
            return false;
        }

        foreach (var b in line[(space + 1)..])
        {
            if (b is < 0x21 or > 0x7E or (byte)'?' or (byte)'#')
            {
                return false;
            }
        }

        return true;
    }

    private static readonly HashSet<string> Methods = new(StringComparer.Ordinal) { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT" };

    private static void Rewrite(in ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            // The server's own receive buffer: written in place, as the server itself decodes the path in place.
            if (segment.Span.IndexOf("%00"u8) >= 0)
            {
                Rewrite(MemoryMarshal.AsMemory(segment).Span);
            }
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class RewritingReader(PipeReader inner) : PipeReader
    {
        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            if (read.IsCompletedSuccessfully)
            {
                var result = read.Result;
                Rewrite(result.Buffer);
                return ValueTask.FromResult(result);
            }

            return Awaited(read);
        }

        private static async ValueTask<ReadResult> Awaited(ValueTask<ReadResult> read)
        {
            var result = await read;
            Rewrite(result.Buffer);
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            Rewrite(result.Buffer);
            return true;
        }
    }
}
