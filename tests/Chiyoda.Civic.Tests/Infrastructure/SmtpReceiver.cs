using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>One message as the receiver took it: the envelope (MAIL FROM, RCPT TO) and the parsed message.</summary>
public sealed record ReceivedMail(string From, IReadOnlyList<string> To, MimeMessage Message)
{
    public string Text => Message.TextBody ?? "";

    public string? NoticeId => Message.Headers[Grains.Notifications.NoticeEmail.NoticeIdHeader];
}

/// <summary>
/// A small SMTP server on loopback for tests, speaking enough of RFC 5321 for a client to deliver:
/// EHLO/HELO, MAIL, RCPT, DATA (with dot-unstuffing), RSET, NOOP, QUIT. It offers no extensions, so
/// clients send 7-bit (MIME-encoded) messages. Every accepted message is kept in order of arrival.
/// </summary>
public sealed class SmtpReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private readonly Task _accepting;
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _dropHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _holdAt = -1;

    private SmtpReceiver(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    /// <summary>
    /// After <paramref name="accepted"/> messages, the next message's data is read but never answered: the sender waits
    /// for the server's reply, as a sender whose process dies mid-send would. <see cref="DropHeld"/> then closes that
    /// connection without accepting the message (a real server keeps no message it did not acknowledge).
    /// </summary>
    public void HoldAfter(int accepted) => _holdAt = accepted;

    /// <summary>Completes once a message is being held (<see cref="HoldAfter"/>).</summary>
    public Task Holding => _holding.Task;

    public void DropHeld() => _dropHeld.TrySetResult();

    /// <summary>Listens on the port (0: any free one) until disposed.</summary>
    public static SmtpReceiver Start(int port = 0) => new(port);

    /// <summary>Waits until the messages received satisfy the condition; fails with what arrived if they do not in time.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(Func<IReadOnlyList<ReceivedMail>, bool> condition, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var received = Received;
            if (condition(received))
            {
                return received;
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"The mail expected did not arrive; {received.Count} received: " +
                    string.Join("; ", received.Select(m => $"{string.Join(",", m.To)} '{m.Message.Subject}' ({m.NoticeId})")));
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _dropHeld.TrySetResult();
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping is the point.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            // Latin-1 maps bytes to chars one to one, so the message bytes survive the line reading unchanged.
            using var reader = new StreamReader(stream, Encoding.Latin1, false, 4096, leaveOpen: true);
            using var writer = new StreamWriter(stream, Encoding.ASCII, 1024, leaveOpen: true) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost test SMTP receiver ready");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                    case "HELO":
                        await writer.WriteLineAsync("250 localhost");
                        break;
                    case "MAIL":
                        from = Address(line);
                        to.Clear();
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        if (from is null)
                        {
                            await writer.WriteLineAsync("503 5.5.1 MAIL first");
                            break;
                        }

                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 2.1.5 OK");
                        break;
                    case "DATA":
                        if (from is null || to.Count == 0)
                        {
                            await writer.WriteLineAsync("503 5.5.1 MAIL and RCPT first");
                            break;
                        }

                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith('.') ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        if (_holdAt >= 0 && _received.Count >= _holdAt && Interlocked.Exchange(ref _holdAt, -1) >= 0)
                        {
                            _holding.TrySetResult();
                            await _dropHeld.Task.WaitAsync(_stop.Token);
                            return;
                        }

                        var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.Latin1.GetBytes(data.ToString())));
                        _received.Enqueue(new ReceivedMail(from, [.. to], message));
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 2.0.0 Accepted");
                        break;
                    case "RSET":
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or the receiver is stopping.
        }
    }

    /// <summary>The address between angle brackets of "MAIL FROM:&lt;a@b&gt;" or "RCPT TO:&lt;a@b&gt;".</summary>
    private static string Address(string line)
    {
        var open = line.IndexOf('<', StringComparison.Ordinal);
        var close = line.IndexOf('>', StringComparison.Ordinal);
        return open >= 0 && close > open ? line[(open + 1)..close] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
