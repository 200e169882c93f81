using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Chiyoda.Civic.Client;
using Chiyoda.Civic.Client.Api.V1.Rounds.Item.Ballot;
using Chiyoda.Civic.Client.Models;
using Chiyoda.Civic.Replay;
using Microsoft.Kiota.Abstractions;

namespace Chiyoda.Civic.LoadGenerator;

/// <summary>
/// Casts online ballots for distinct register voters through the HTTP API with bearer tokens and
/// prints throughput and latency, beside Azurite's raw write rates measured in the same run. Every API call goes through
/// the client generated from the OpenAPI document (<see cref="CivicApiClient"/>).
/// Usage: see benchmarks/online-vote.sh, which starts the platform and passes these options.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = Options.Parse(args);
        Console.WriteLine($"# Chiyoda Civic online-vote benchmark  {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024 / 1024 / 1024} GiB; voters {options.Voters:N0}; concurrency {options.Concurrency}; duration {options.Seconds} s; fixed rate {options.FixedRate}/s");

        var ceiling = await StorageCeiling.MeasureAsync(options.Storage);
        Console.WriteLine($"storage ceiling (raw Azurite): single-entity upserts {ceiling.SinglePerSecond:N0}/s; 100-entity batch transactions {ceiling.BatchedEntitiesPerSecond:N0} entities/s");

        // One client per front end; voters are spread over them as a load balancer would.
        var fronts = options.Web.Select(web => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = web,
            Timeout = TimeSpan.FromSeconds(30),
        }).ToArray();
        var http = fronts[0];
        var api = fronts.Select(CivicApi.For).ToArray();
        Console.WriteLine($"front ends: {string.Join(", ", options.Web)}");
        var tokens = new TokenSource(options.IdentityProvider);
        var adminToken = await tokens.GetAsync("admin");
        var roundId = "bench-" + DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        await Setup.RoundAsync(http, tokens, roundId);
        var ballots = api.Select(front => front.Api.V1.Rounds[roundId].Ballot).ToArray();

        var stopwatch = Stopwatch.StartNew();
        var voterKeys = Enumerable.Range(1, options.Voters).Select(n => $"b{n:000000}").ToArray();
        var report = await Setup.RegisterAsync(http, adminToken, roundId, voterKeys);
        Console.WriteLine($"register: {report} in {stopwatch.Elapsed.TotalSeconds:N1} s");

        stopwatch.Restart();
        var voterTokens = await tokens.GetManyAsync(voterKeys, options.TokenCache, parallelism: 16);
        Console.WriteLine($"tokens: {voterKeys.Length:N0} in {stopwatch.Elapsed.TotalSeconds:N1} s (not part of the measured ballots)");

        // The fixed-rate phase keeps its own voters, so a fast sustained phase cannot leave it none.
        var reserved = Math.Min(voterKeys.Length, options.FixedRate * options.FixedSeconds);
        IReadOnlyCollection<string> unansweredFixed;
        var queue = new ConcurrentQueue<string>(voterKeys[..^reserved]);
        var fixedQueue = new ConcurrentQueue<string>(voterKeys[^reserved..]);
        var accepted = new ConcurrentDictionary<string, int>();

        // Phase 1: latency at a fixed arrival rate, as a busy hour would bring, on a fresh round. It goes
        // first because Azurite's whole-database saves (every 5 s) stall it longer as its table grows:
        // after the sustained phase's burst the same rate measures the emulator more than the platform
        // (docs/performance.md shows both orders).
        // Beside it, the storage's own latency over the same seconds: raw single upserts at a low rate
        // into the same Azurite, so a tail that is the emulator's (its whole-database saves) shows as such.
        using (var probe = StorageProbe.Start(options.Storage, perSecond: 50))
        {
            var fixedRate = await Load.OpenLoopAsync(ballots, fixedQueue, voterTokens, accepted, options.FixedRate, TimeSpan.FromSeconds(options.FixedSeconds));
            Console.WriteLine(fixedRate.Describe($"fixed rate {options.FixedRate}/s (open loop)"));
            Console.WriteLine(await probe.DescribeAsync());
            unansweredFixed = fixedRate.Unanswered;
        }

        // Phase 2: as many durable ballots per second as the platform takes, for the set duration
        // (or until its voters have all voted).
        var throughput = await Load.ClosedLoopAsync(ballots, queue, voterTokens, accepted, options.Concurrency, TimeSpan.FromSeconds(options.Seconds));
        Console.WriteLine(throughput.Describe($"sustained (closed loop, {voterKeys.Length - reserved:N0} voters)"));

        // A request whose answer was lost (time-out, 5xx) may or may not have been stored: a client
        // retries it with the same Idempotency-Key, which returns the stored receipt or stores it now.
        var unanswered = throughput.Unanswered.Concat(unansweredFixed).Distinct().Where(v => !accepted.ContainsKey(v)).ToList();
        var retried = await Load.RetryAsync(ballots, unanswered, voterTokens, accepted);
        Console.WriteLine($"retries: {unanswered.Count:N0} requests without an answer retried with their Idempotency-Key; {retried:N0} answered with a receipt");

        // Every acknowledged ballot must be counted once, and nothing else.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var turnout = await CivicApi.Expect("turnout", () => api[0].Api.V1.Rounds[roundId].Turnout.GetAsync());
        var counted = turnout?.Voters ?? 0;
        Console.WriteLine($"check: voters with an acknowledged ballot {accepted.Count:N0}; voters in the live count {counted:N0}; {(accepted.Count == counted ? "equal" : "DIFFERENT")}");
        Console.WriteLine($"ratio: sustained {throughput.PerSecond:N0} ballots/s = {throughput.PerSecond / ceiling.SinglePerSecond:P0} of the raw single-upsert ceiling");
        return accepted.Count == counted ? 0 : 1;
    }
}

public sealed record Options(Uri[] Web, Uri IdentityProvider, string Storage, int Voters, int Concurrency, int Seconds, int FixedRate, int FixedSeconds, string? TokenCache)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault() ?? fallback;
        return new Options(
            [.. Get("web", "http://localhost:5000/").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u))],
            new Uri(Get("idp", "http://localhost:5100/")),
            Get("storage", "UseDevelopmentStorage=true"),
            int.Parse(Get("voters", "50000"), CultureInfo.InvariantCulture),
            int.Parse(Get("concurrency", "64"), CultureInfo.InvariantCulture),
            int.Parse(Get("seconds", "60"), CultureInfo.InvariantCulture),
            int.Parse(Get("rate", "250"), CultureInfo.InvariantCulture),
            int.Parse(Get("rate-seconds", "30"), CultureInfo.InvariantCulture),
            args.SkipWhile(a => a != "--token-cache").Skip(1).FirstOrDefault());
    }
}

public sealed class TokenSource(Uri identityProvider)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = identityProvider };

    public async Task<string> GetAsync(string account)
    {
        using var response = await _http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "civic-scripts",
            ["username"] = account,
            ["password"] = "chiyoda",
            ["scope"] = "civic-api",
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>The token's own expiry (the JWT's "exp"), so a cached token is only reused while it has time left.</summary>
    private static DateTimeOffset ExpiresAt(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2)
        {
            return DateTimeOffset.MinValue;
        }

        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
        return json.RootElement.TryGetProperty("exp", out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) : DateTimeOffset.MinValue;
    }

    /// <summary>
    /// One token per voter (account "voter:{key}"). With a cache file, tokens issued by the same provider
    /// (same signing key) with more than 15 minutes left are reused, so a 200,000-voter run does not spend
    /// minutes on sign-ins that are not what is measured.
    /// </summary>
    public async Task<ConcurrentDictionary<string, string>> GetManyAsync(IReadOnlyList<string> voterKeys, string? cacheFile, int parallelism)
    {
        var tokens = new ConcurrentDictionary<string, string>();
        if (cacheFile is not null)
        {
            foreach (var (key, token) in TokenCache.Read(cacheFile))
            {
                if (ExpiresAt(token) > DateTimeOffset.UtcNow.AddMinutes(15))
                {
                    tokens[key] = token;
                }
            }
        }

        var missing = voterKeys.Where(k => !tokens.ContainsKey(k)).ToList();
        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (key, _) => tokens[key] = await GetAsync("voter:" + key));
        if (cacheFile is not null && missing.Count > 0)
        {
            await TokenCache.WriteAsync(cacheFile, tokens);
        }

        Console.WriteLine($"tokens: {missing.Count:N0} issued, {voterKeys.Count - missing.Count:N0} reused from {cacheFile ?? "(no cache)"}");
        return tokens;
    }
}

/// <summary>
/// The token cache file: one "key TAB token" line per voter. Its folder (by default the clone's .data/,
/// which a fresh clone does not have) is created on write, so a first run does not fail after its sign-ins.
/// </summary>
public static class TokenCache
{
    public static IEnumerable<(string Key, string Token)> Read(string file)
    {
        if (!File.Exists(file))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(file))
        {
            var tab = line.IndexOf('\t');
            if (tab > 0)
            {
                yield return (line[..tab], line[(tab + 1)..]);
            }
        }
    }

    public static async Task WriteAsync(string file, IEnumerable<KeyValuePair<string, string>> tokens)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        await File.WriteAllLinesAsync(file, tokens.Select(t => $"{t.Key}\t{t.Value}"));
    }
}

public static class Setup
{
    /// <summary>
    /// A round open for voting whose 7 proposals reached the ballot the one way there is: submitted by residents,
    /// screened through every stage, published by an administrator (the replay tool's <see cref="ShortlistThroughScreening"/>).
    /// </summary>
    public static async Task RoundAsync(HttpClient http, TokenSource tokens, string roundId)
    {
        var now = DateTimeOffset.UtcNow;
        async Task<HttpClient> ClientFor(string account)
        {
            var client = new HttpClient { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(account));
            return client;
        }

        await new ShortlistThroughScreening(ClientFor).CreateRoundAsync(roundId, "負荷試験", null,
            new ChainSchedule(now.AddDays(-60), now.AddDays(-30), now.AddMinutes(-1), now.AddDays(2), now.AddDays(10)), null,
            ShortlistThroughScreening.Seven);
    }

    private static readonly string[] Kana = ["サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ", "ハナコ", "タロウ", "ユミ", "ケンジ", "アキラ", "ミドリ"];

    /// <summary>
    /// The register in files of 200,000 voters (~9 MB, under the 64 MB file limit), each allowed minutes: setup, not what
    /// is measured. Each file rewrites every register shard it touches whole, so 1,000,000 voters in files of 25,000 wrote
    /// each of 256 shards 40 times over (~4 GB of state); in files of 200,000, 5 times.
    /// </summary>
    public static async Task<string> RegisterAsync(HttpClient http, string adminToken, string roundId, IReadOnlyList<string> voterKeys)
    {
        using var patient = new HttpClient { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
        patient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var register = CivicApi.For(patient).Api.V1.Rounds[roundId].Register;
        int added = 0, refused = 0, sent = 0;
        foreach (var part in voterKeys.Chunk(200_000))
        {
            var first = sent + 1;
            sent += part.Length;
            var csv = new StringBuilder("voter_key,name_kana,birthdate,postcode\n");
            foreach (var key in part)
            {
                // Names and birthdates spread as in a real register (the clerks' kana + birthdate lookup is
                // indexed by them); everyone is over 18.
                var n = key.GetHashCode() & int.MaxValue;
                var birthdate = new DateOnly(1940, 1, 1).AddDays(n % 23_000);
                csv.Append(key).Append(',').Append(Kana[n % Kana.Length]).Append(' ').Append(Kana[(n / 7) % Kana.Length])
                   .Append(',').Append(birthdate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(",102-8688\n");
            }

            var bytes = Encoding.UTF8.GetBytes(csv.ToString());
            var stopwatch = Stopwatch.StartNew();
            var report = await RetryingUnavailableAsync($"register voters {first:N0}–{sent:N0}", async () =>
            {
                using var file = new MemoryStream(bytes);
                return await register.PostAsync(file);
            });
            added += report?.Added ?? 0;
            refused += report?.Refused ?? 0;
            var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
            Console.WriteLine($"  register voters {first:N0}–{sent:N0}: {report?.Added ?? 0:N0} added in {stopwatch.Elapsed.TotalSeconds:N1} s; load average {load}");
        }

        return $"{added:N0} added, {refused} refused";
    }

    /// <summary>
    /// Sends <paramref name="call"/> again after each 503 (a grain call past Orleans' 30 s response time-out on a busy machine:
    /// "nothing was changed unless you were told so"), waiting the answer's Retry-After, and prints each retry. Only for calls
    /// whose repeat is harmless: a register file is upserts, so lines already applied come back unchanged.
    /// </summary>
    public static async Task<T> RetryingUnavailableAsync<T>(string what, Func<Task<T>> call, int attempts = 10)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (ApiException refusal) when (CivicApi.Status(refusal) == 503 && attempt < attempts)
            {
                var wait = RetryAfter(refusal.ResponseHeaders);
                Console.WriteLine($"  {what}: {CivicApi.Describe(refusal)}; retry {attempt} of {attempts - 1} after {wait.TotalSeconds:N0} s (Retry-After)");
                await Task.Delay(wait);
            }
            catch (ApiException refusal)
            {
                throw new InvalidOperationException($"{what}: {CivicApi.Describe(refusal)}", refusal);
            }
        }
    }

    /// <summary>The answer's Retry-After in seconds (RFC 9110 also allows a date, which the platform never sends), else 5 s.</summary>
    public static TimeSpan RetryAfter(IDictionary<string, IEnumerable<string>> headers)
    {
        var value = headers.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(Math.Max(1, seconds)) : TimeSpan.FromSeconds(5);
    }
}

public sealed record LoadResult(int Accepted, int Failed, double Seconds, double[] LatenciesMs, IReadOnlyDictionary<string, int> Failures, IReadOnlyCollection<string> Unanswered)
{
    public double PerSecond => Accepted / Seconds;

    /// <summary>Latencies of the requests sent after <see cref="Load.WarmAfter"/> (fixed-rate phase only).</summary>
    public double[] WarmLatenciesMs { get; init; } = [];

    internal static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    public string Describe(string name) =>
        $"{name}: {Accepted:N0} durable ballots in {Seconds:N1} s = {PerSecond:N0} ballots/s; latency p50 {Percentile(LatenciesMs, 0.50):N0} ms, p95 {Percentile(LatenciesMs, 0.95):N0} ms, p99 {Percentile(LatenciesMs, 0.99):N0} ms; failed {Failed}" +
        (Failures.Count > 0 ? " (" + string.Join(", ", Failures.Select(f => $"{f.Key}: {f.Value}")) + ")" : "") +
        (WarmLatenciesMs.Length > 0 ? $"; after its first {Load.WarmAfter.TotalSeconds:N0} s ({WarmLatenciesMs.Length:N0}): p50 {Percentile(WarmLatenciesMs, 0.50):N0} ms, p95 {Percentile(WarmLatenciesMs, 0.95):N0} ms, p99 {Percentile(WarmLatenciesMs, 0.99):N0} ms" : "");
}

public static class Load
{
    private static readonly int[][] Ballots = [[1], [2, 5], [1, 4, 7], [3, 6], [2, 4, 6], [7], [5, 1], [3]];

    /// <summary>The request bodies made once: the generator shares the machine with what it measures, so it spends as little as it can.</summary>
    private static readonly BallotRequest[] Bodies = [.. Ballots.Select(choices => new BallotRequest { Choices = [.. choices.Select(c => (int?)c)] })];

    /// <summary>The round's ballot operation at each front end (built once per run), for <paramref name="voterKey"/>.</summary>
    private static async Task<(bool Ok, string? Failure)> CastAsync(BallotRequestBuilder[] fronts, string voterKey, string token)
    {
        var ballot = fronts[(voterKey.GetHashCode() & int.MaxValue) % fronts.Length];
        try
        {
            await ballot.PutAsync(Bodies[voterKey.GetHashCode() & 7], request =>
            {
                request.Headers.Add("Authorization", "Bearer " + token);
                request.Headers.Add(CivicApi.IdempotencyKeyHeader, "bench-" + voterKey);
            });
            return (true, null);
        }
        catch (ApiException refusal)
        {
            return (false, refusal.ResponseStatusCode.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, e.GetType().Name);
        }
    }

    public static async Task<LoadResult> ClosedLoopAsync(BallotRequestBuilder[] http, ConcurrentQueue<string> voters,
        IReadOnlyDictionary<string, string> tokens, ConcurrentDictionary<string, int> accepted, int concurrency, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
        var failures = new ConcurrentDictionary<string, int>();
        var unanswered = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration && voters.TryDequeue(out var voter))
            {
                var started = Stopwatch.GetTimestamp();
                var (ok, failure) = await CastAsync(http, voter, tokens[voter]);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (ok)
                {
                    accepted[voter] = 1;
                }
                else
                {
                    failures.AddOrUpdate(failure!, 1, (_, n) => n + 1);
                    if (failure is not ("400" or "403" or "409" or "422" or "429"))
                    {
                        unanswered.Add(voter);
                    }
                }
            }
        }));
        var sorted = latencies.Order().ToArray();
        return new LoadResult(sorted.Length - failures.Values.Sum(), failures.Values.Sum(), clock.Elapsed.TotalSeconds, sorted, failures, unanswered);
    }

    public static async Task<int> RetryAsync(BallotRequestBuilder[] http, IReadOnlyList<string> voters,
        IReadOnlyDictionary<string, string> tokens, ConcurrentDictionary<string, int> accepted)
    {
        var answered = 0;
        await Parallel.ForEachAsync(voters, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (voter, _) =>
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                if ((await CastAsync(http, voter, tokens[voter])).Ok)
                {
                    accepted[voter] = 1;
                    Interlocked.Increment(ref answered);
                    return;
                }
            }
        });
        return answered;
    }

    public static async Task<LoadResult> OpenLoopAsync(BallotRequestBuilder[] http, ConcurrentQueue<string> voters,
        IReadOnlyDictionary<string, string> tokens, ConcurrentDictionary<string, int> accepted, int perSecond, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
        var failures = new ConcurrentDictionary<string, int>();
        var unanswered = new ConcurrentBag<string>();
        var warmLatencies = new ConcurrentBag<double>();
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (clock.Elapsed < duration && voters.TryDequeue(out var voter))
        {
            var due = TimeSpan.FromSeconds((double)sent / perSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            sent++;
            inFlight.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                var warm = clock.Elapsed >= WarmAfter;
                var (ok, failure) = await CastAsync(http, voter, tokens[voter]);
                var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                latencies.Add(latency);
                if (warm)
                {
                    warmLatencies.Add(latency);
                }

                if (ok)
                {
                    accepted[voter] = 1;
                }
                else
                {
                    failures.AddOrUpdate(failure!, 1, (_, n) => n + 1);
                    if (failure is not ("400" or "403" or "409" or "422" or "429"))
                    {
                        unanswered.Add(voter);
                    }
                }
            }));
        }

        await Task.WhenAll(inFlight);
        var sorted = latencies.Order().ToArray();
        return new LoadResult(sorted.Length - failures.Values.Sum(), failures.Values.Sum(), clock.Elapsed.TotalSeconds, sorted, failures, unanswered)
        {
            WarmLatenciesMs = [.. warmLatencies.Order()],
        };
    }

    /// <summary>
    /// The fixed-rate phase starts on a cold platform (register shards, tally shards and code not yet
    /// loaded); its latencies are also given without its first seconds, to tell that start from the rest.
    /// </summary>
    public static readonly TimeSpan WarmAfter = TimeSpan.FromSeconds(10);
}

/// <summary>What Azurite itself takes on this machine: the ceiling any grain-state design is measured against.</summary>
public static class StorageCeiling
{
    public static async Task<(double SinglePerSecond, double BatchedEntitiesPerSecond)> MeasureAsync(string connectionString)
    {
        var table = new TableClient(connectionString, "CeilingProbe" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        await table.CreateIfNotExistsAsync();
        var payload = new string('x', 600);

        const int singles = 4000;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, singles), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
            await table.UpsertEntityAsync(new TableEntity($"p{i}", "r") { ["Data"] = payload }));
        var single = singles / clock.Elapsed.TotalSeconds;

        const int batches = 300;
        clock.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (b, _) =>
            await table.SubmitTransactionAsync(Enumerable.Range(0, 100).Select(i =>
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity($"batch{b}", $"r{i}") { ["Data"] = payload }))));
        var batched = batches * 100 / clock.Elapsed.TotalSeconds;
        await table.DeleteAsync();
        return (single, batched);
    }
}

/// <summary>Raw single-entity upserts at a fixed low rate while a phase runs: the storage's own latency over the same seconds.</summary>
public sealed class StorageProbe : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly ConcurrentBag<double> _warmLatencies = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _running;

    private StorageProbe(string connectionString, int perSecond) => _running = RunAsync(connectionString, perSecond);

    public static StorageProbe Start(string connectionString, int perSecond) => new(connectionString, perSecond);

    private async Task RunAsync(string connectionString, int perSecond)
    {
        var table = new TableClient(connectionString, "LatencyProbe" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        await table.CreateIfNotExistsAsync();
        var payload = new string('x', 600);
        var inFlight = new List<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var row = n++;
                inFlight.Add(Task.Run(async () =>
                {
                    var started = Stopwatch.GetTimestamp();
                    var warm = _clock.Elapsed >= Load.WarmAfter;
                    await table.UpsertEntityAsync(new TableEntity($"p{row % 64}", $"r{row}") { ["Data"] = payload });
                    var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    _latencies.Add(latency);
                    if (warm)
                    {
                        _warmLatencies.Add(latency);
                    }
                }));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(inFlight);
        await table.DeleteAsync();
    }

    public async Task<string> DescribeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        var sorted = _latencies.Order().ToArray();
        var warm = _warmLatencies.Order().ToArray();
        return $"storage probe over the same seconds (raw single upserts to Azurite, {sorted.Length:N0}): p50 {LoadResult.Percentile(sorted, 0.50):N0} ms, p95 {LoadResult.Percentile(sorted, 0.95):N0} ms, p99 {LoadResult.Percentile(sorted, 0.99):N0} ms, max {(sorted.Length == 0 ? 0 : sorted[^1]):N0} ms" +
            $"; after the first {Load.WarmAfter.TotalSeconds:N0} s: p50 {LoadResult.Percentile(warm, 0.50):N0} ms, p95 {LoadResult.Percentile(warm, 0.95):N0} ms, p99 {LoadResult.Percentile(warm, 0.99):N0} ms";
    }

    /// <summary>Stops the probe also when the phase beside it failed (its figures are then not printed).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
