using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>A receipt as the API returned it (200).</summary>
public sealed record Receipt(string Code, int Version, int[] Choices);

/// <summary>One HTTP request of a ballot and what came back: a status (0 when no answer came) or the exception.</summary>
public sealed record Attempt(
    string Voter, string Key, int FrontEnd, TimeSpan Started, TimeSpan Ended, int Status, string? ProblemCode, bool HasRetryAfter, string? ContentType,
    Receipt? Receipt, string? Error)
{
    public bool Succeeded => Status == 200 && Receipt is not null;

    public TimeSpan Latency => Ended - Started;

    /// <summary>Worth sending again with the same key: no answer, a 5xx, or 429.</summary>
    public bool Retryable => Status is 0 or 429 or >= 500;

    /// <summary>A 503 as the API promises it: problem details with a code, and Retry-After.</summary>
    public bool IsClearRetryable => Status == 503 && HasRetryAfter && ProblemCode is { Length: > 0 } && ContentType == "application/problem+json";

    public string Outcome => Error ?? (ProblemCode is null ? Status.ToString(CultureInfo.InvariantCulture) : $"{Status} {ProblemCode}");
}

/// <summary>
/// Online ballots for many register voters through the HTTP API of the local cluster's two front ends,
/// each voter with one Idempotency-Key and body that every retry repeats, every request and answer
/// recorded against one clock so the tests can tell what happened around a fault.
/// </summary>
public sealed class VoteLoad : IDisposable
{
    private static readonly int[][] Bodies = [[1], [2, 5], [1, 4, 7], [3, 6], [2, 4, 6], [7], [1, 5], [3]];
    private readonly LocalCluster _cluster;
    private readonly IReadOnlyDictionary<string, string> _tokens;
    private readonly HttpClient[] _frontEnds;

    private VoteLoad(LocalCluster cluster, string roundId, string[] voters, IReadOnlyDictionary<string, string> tokens, TimeSpan timeout)
    {
        _cluster = cluster;
        RoundId = roundId;
        Voters = voters;
        _tokens = tokens;
        _frontEnds = [.. Enumerable.Range(0, 2).Select(index => new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            BaseAddress = cluster.Web(index),
            Timeout = timeout,
        })];
    }

    public string RoundId { get; }

    /// <summary>The Idempotency-Key of the voter's one ballot in this load: every request and retry of it carries the same.</summary>
    public string KeyOf(string voter) => $"{voter}-{RoundId}";

    public string[] Voters { get; }

    /// <summary>Every time below is on this clock, started when the load was prepared.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public ConcurrentQueue<Attempt> Attempts { get; } = new();

    /// <summary>The receipt each voter was given (the last one, if more than one came back).</summary>
    public ConcurrentDictionary<string, Receipt> Acknowledged { get; } = new(StringComparer.Ordinal);

    /// <summary>Voters who were given an answer that is not worth retrying (a refusal): none are expected.</summary>
    public ConcurrentDictionary<string, Attempt> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>Front ends a load balancer would no longer send to (the test marks the one it kills).</summary>
    public ConcurrentDictionary<int, bool> Down { get; } = new();

    /// <summary>Waits until the load is under way: at least <paramref name="receipts"/> receipts given (or 20 s passed).</summary>
    public async Task WarmAsync(int receipts)
    {
        var deadline = Clock.Elapsed + TimeSpan.FromSeconds(20);
        while (Acknowledged.Count < receipts && Clock.Elapsed < deadline)
        {
            await Task.Delay(20);
        }
    }

    public static int[] BodyOf(int voterIndex) => Bodies[voterIndex % Bodies.Length];

    /// <summary>A round open for voting (7 proposals, up to 3 votes), its register holding <paramref name="count"/> adults, and a token for each.</summary>
    public static async Task<VoteLoad> PrepareAsync(FaultCluster fault, int count, TimeSpan? timeout = null)
    {
        var cluster = fault.Cluster;
        var voters = Enumerable.Range(1, count).Select(n => $"f{n:0000}").ToArray();
        using var admin = await cluster.ApiClientAsync(0, "admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var register = new StringBuilder("voter_key,name_kana,birthdate,postcode\n");
        foreach (var voter in voters)
        {
            register.Append(PlatformVoting.Adult(voter)).Append('\n');
        }

        // Loading the same file again is safe (a line already there is "unchanged"): sent again on a 503, as the
        // round's set-up is, because the cluster may have just lost or restarted a silo.
        using var loaded = await LoadRegisterRetryingAsync(admin, roundId, register.ToString());
        var stored = loaded.RootElement;
        Assert.Equal(count, stored.GetProperty("added").GetInt32() + stored.GetProperty("unchanged").GetInt32());
        var tokens = await fault.VoterTokensAsync(voters);
        return new VoteLoad(cluster, roundId, voters, tokens, timeout ?? TimeSpan.FromSeconds(60));
    }

    private static async Task<JsonDocument> LoadRegisterRetryingAsync(HttpClient admin, string roundId, string csv)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
            using var response = await admin.PostAsync($"/api/v1/rounds/{roundId}/register", content);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 8)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt));
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"register of {roundId}: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body);
        }
    }

    /// <summary>One PUT of a ballot through front end <paramref name="frontEnd"/>; never throws for a lost connection or a time-out, it records them.</summary>
    public async Task<Attempt> CastAsync(string voter, int frontEnd, string key, int[] choices)
    {
        var started = Clock.Elapsed;
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/rounds/{RoundId}/ballot") { Content = JsonContent.Create(new { choices }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[voter]);
        request.Headers.Add("Idempotency-Key", key);
        Attempt attempt;
        try
        {
            using var response = await _frontEnds[frontEnd].SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Receipt? receipt = null;
            string? code = null;
            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (status == 200)
            {
                var json = JsonDocument.Parse(body).RootElement;
                receipt = new Receipt(json.GetProperty("code").GetString()!, json.GetProperty("version").GetInt32(),
                    [.. json.GetProperty("choices").EnumerateArray().Select(c => c.GetInt32())]);
            }
            else if (contentType == "application/problem+json")
            {
                code = JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
            }

            attempt = new Attempt(voter, key, frontEnd, started, Clock.Elapsed, status, code, response.Headers.RetryAfter is not null, contentType, receipt,
                status == 200 || contentType == "application/problem+json" ? null : $"{status} {Shorten(body)}");
        }
        // A connection to the front end being killed can also fail as a bare SocketException: HttpClient reads the socket's
        // remote end point after connecting, and that throws unwrapped when the peer has already gone ("not connected").
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            attempt = new Attempt(voter, key, frontEnd, started, Clock.Elapsed, 0, null, false, null, null, e.GetType().Name);
        }

        Attempts.Enqueue(attempt);
        if (attempt.Receipt is { } received)
        {
            Acknowledged[voter] = received;
        }

        return attempt;
    }

    /// <summary>
    /// Each voter's ballot, at most <paramref name="perSecond"/> new voters a second and
    /// <paramref name="concurrency"/> requests in flight, spread over both front ends. A request that got
    /// no receipt (no answer, 5xx, 429) is sent again, same key and body, through the other front end (or
    /// the one still up), after its Retry-After (at most 1 s, so recovery is seen to the second), until a
    /// receipt comes or <paramref name="giveUpAfter"/> passes.
    /// </summary>
    public async Task RunAsync(int concurrency, double perSecond, TimeSpan giveUpAfter)
    {
        var next = -1;
        var begun = Clock.Elapsed;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < Voters.Length)
            {
                var due = begun + TimeSpan.FromSeconds(index / perSecond);
                if (due > Clock.Elapsed)
                {
                    await Task.Delay(due - Clock.Elapsed);
                }

                await VoteUntilReceiptAsync(index, giveUpAfter);
            }
        }));
    }

    /// <summary>The requests a voter sent until the receipt came (or the voter gave up).</summary>
    public async Task VoteUntilReceiptAsync(int index, TimeSpan giveUpAfter)
    {
        var voter = Voters[index];
        var key = KeyOf(voter);
        var body = BodyOf(index);
        var deadline = Clock.Elapsed + giveUpAfter;
        for (var number = 0; ; number++)
        {
            var attempt = await CastAsync(voter, FrontEndFor(index + number), key, body);
            if (attempt.Succeeded)
            {
                return;
            }

            if (!attempt.Retryable)
            {
                Refused[voter] = attempt;
                return;
            }

            if (Clock.Elapsed > deadline)
            {
                return;
            }

            await Task.Delay(attempt.Status == 0 ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Front end <c>n % 2</c>, or the other one if that one is down.</summary>
    public int FrontEndFor(int n)
    {
        var frontEnd = n % 2;
        return Down.ContainsKey(frontEnd) ? 1 - frontEnd : frontEnd;
    }

    /// <summary>
    /// How voting went after <paramref name="fault"/>: requests per second (answered with a receipt or not,
    /// and the slowest), and how long voting was degraded: from the fault to the end of the last request
    /// that got no receipt (after it every request got one), and to the end of the last request that got
    /// no receipt or waited longer than <see cref="Degradation.Slow"/> (after it voting was back to normal).
    /// </summary>
    public Degradation Analyse(TimeSpan fault, ITestOutputHelper output, string what = "the fault")
    {
        var attempts = Attempts.ToArray();
        var after = attempts.Where(a => a.Ended >= fault).ToArray();
        var failed = after.Where(a => !a.Succeeded).ToArray();
        var before = attempts.Where(a => a.Succeeded && a.Ended < fault).Select(a => a.Latency.TotalMilliseconds).Order().ToArray();
        output.WriteLine($"before {what}: {before.Length} receipts, latency p50 {Percentile(before, 0.5):0} ms, p99 {Percentile(before, 0.99):0} ms; after it, second by second (by the end of each request):");
        foreach (var second in after.GroupBy(a => (int)Math.Floor((a.Ended - fault).TotalSeconds)).OrderBy(g => g.Key))
        {
            var failures = second.Where(a => !a.Succeeded).GroupBy(a => a.Outcome).Select(g => $"{g.Key} ×{g.Count()}");
            output.WriteLine($"  +{second.Key,3} s: {second.Count(a => a.Succeeded),4} receipts, {second.Count(a => !a.Succeeded),4} without ({string.Join(", ", failures)}); slowest {second.Max(a => a.Latency).TotalMilliseconds:0} ms");
        }

        TimeSpan Until(IEnumerable<Attempt> bad) => bad.Select(a => a.Ended - fault).DefaultIfEmpty(TimeSpan.Zero).Max();
        var degradation = new Degradation(what, failed.Length,
            Until(failed),
            Until(after.Where(a => !a.Succeeded || a.Latency > Degradation.Slow)),
            after.Where(a => a.Succeeded).Select(a => a.Latency).DefaultIfEmpty().Max(),
            failed.GroupBy(a => a.Outcome).ToDictionary(g => g.Key, g => g.Count()));
        output.WriteLine(degradation.ToString());
        return degradation;
    }

    public void Dispose()
    {
        foreach (var client in _frontEnds)
        {
            client.Dispose();
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static string Shorten(string body) => body.Length <= 200 ? body : body[..200] + "…";
}

/// <summary>How long and how badly voting was degraded after a fault.</summary>
public sealed record Degradation(string After, int FailedRequests, TimeSpan UntilAllSucceed, TimeSpan UntilNormal, TimeSpan SlowestReceipt, IReadOnlyDictionary<string, int> Failures)
{
    /// <summary>A voter kept waiting longer than this was not served normally.</summary>
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(2);

    public override string ToString() =>
        $"DEGRADED after {After}: every request got a receipt again after {UntilAllSucceed.TotalSeconds:0.0} s; " +
        $"back to normal (no failure, no wait over {Slow.TotalSeconds:0} s) after {UntilNormal.TotalSeconds:0.0} s; " +
        $"{FailedRequests} requests without a receipt ({string.Join(", ", Failures.Select(f => $"{f.Key} ×{f.Value}"))}); slowest receipt {SlowestReceipt.TotalSeconds:0.0} s";
}
