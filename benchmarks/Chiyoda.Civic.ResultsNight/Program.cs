using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Grains.Ballots;
using Chiyoda.Civic.Grains.Ballots.Storage;
using Chiyoda.Civic.LoadGenerator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;

namespace Chiyoda.Civic.ResultsNight;

/// <summary>
/// Results night, two commands (benchmarks/results-night.sh runs both):
/// <c>count</c> seeds rounds of N stored ballots and times close → count → certify → publish through the API, beside
/// the storage's raw read rate measured on the same ballots; <c>bare</c> is a bare Kestrel server returning n bytes of
/// HTML at <c>/bytes/{n}</c>, the ceiling the public pages are compared with; <c>ceiling</c> measures how the storage's
/// read rate falls as its table grows (benchmarks/azurite-ceiling.sh).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "count" => await Count.RunAsync(Options.Parse(args[1..])),
        "bare" => await Bare.RunAsync(int.Parse(Options.Get(args, "port", "5090"), CultureInfo.InvariantCulture), Options.Get(args, "page", "")),
        "ceiling" => await Ceiling.RunAsync(Options.Get(args, "storage", "UseDevelopmentStorage=true"),
            [.. Options.Get(args, "sizes", "62500,125000,250000,500000,1000000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))]),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: count --web URL --idp URL --storage CONN --service-id ID --ballot-key BASE64 [--ballots 50000,200000] [--paper-share 0.1] [--round-file PATH] [--read-parallelism 16]");
        Console.Error.WriteLine("       bare --port 5090 --page FILE");
        Console.Error.WriteLine("       ceiling --storage CONN [--sizes 62500,125000,250000,500000,1000000]");
        return 2;
    }
}

/// <param name="ReadParallelism">Partitions read at once: the platform's count is started with the same (<c>Storage:BallotReadParallelism</c>), and the ceiling's concurrent pass reads this many.</param>
public sealed record Options(Uri Web, Uri IdentityProvider, string Storage, string ServiceId, byte[] BallotKey, int[] Ballots, double PaperShare, string? RoundFile, int ReadParallelism)
{
    public static string Get(string[] args, string name, string fallback) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault() ?? fallback;

    public static Options Parse(string[] args) => new(
        new Uri(Get(args, "web", "http://localhost:5010/")),
        new Uri(Get(args, "idp", "http://localhost:5110/")),
        Get(args, "storage", "UseDevelopmentStorage=true"),
        Get(args, "service-id", "chiyoda-civic"),
        Convert.FromBase64String(Get(args, "ballot-key", "")),
        [.. Get(args, "ballots", "50000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))],
        double.Parse(Get(args, "paper-share", "0.1"), CultureInfo.InvariantCulture),
        args.SkipWhile(a => a != "--round-file").Skip(1).FirstOrDefault(),
        Math.Clamp(int.Parse(Get(args, "read-parallelism", "16"), CultureInfo.InvariantCulture), 1, TallySharding.ShardCount));
}

/// <summary>A bare Kestrel server: the same bytes for every request, no routing, no middleware.</summary>
public static class Bare
{
    public static async Task<int> RunAsync(int port, string pagePath)
    {
        var page = await File.ReadAllBytesAsync(pagePath);
        var buffers = new System.Collections.Concurrent.ConcurrentDictionary<int, byte[]>();
        var builder = WebApplication.CreateEmptyBuilder(new() { Args = [] });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.ListenLocalhost(port));
        var app = builder.Build();
        app.Run(context =>
        {
            // /bytes/{n}: the page repeated or cut to n bytes, so each measured URL has a ceiling of its own size.
            var path = context.Request.Path.Value ?? "/";
            var size = path.StartsWith("/bytes/", StringComparison.Ordinal) && int.TryParse(path.AsSpan(7), out var n) ? n : page.Length;
            var body = buffers.GetOrAdd(size, s => [.. Enumerable.Range(0, s).Select(i => page[i % page.Length])]);
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        Console.WriteLine($"bare Kestrel on http://localhost:{port}/ ({page.Length:N0}-byte page)");
        await app.RunAsync();
        return 0;
    }
}

public static class Count
{
    public static async Task<int> RunAsync(Options options)
    {
        Console.WriteLine($"# Chiyoda Civic counting benchmark  {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024 / 1024 / 1024} GiB; paper share {options.PaperShare:P0}");
        var table = BallotTableOf(options);
        var tokens = new TokenSource(options.IdentityProvider);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = options.Web, Timeout = TimeSpan.FromMinutes(30) };
        var ok = true;
        foreach (var n in options.Ballots)
        {
            var roundId = $"night-{n / 1000}k-" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
            ok &= await RoundAsync(options, table, tokens, http, roundId, n);
            if (options.RoundFile is not null)
            {
                await File.WriteAllTextAsync(options.RoundFile, roundId);
            }
        }

        return ok ? 0 : 1;
    }

    /// <summary>The platform's own ballot table and sealing, registered as the silo registers them (service id and key from the run).</summary>
    private static BallotTable BallotTableOf(Options options)
    {
        var services = new ServiceCollection();
        services.AddSerializer();
        services.Configure<ClusterOptions>(o => o.ServiceId = options.ServiceId);
        var silo = new ServicesOnly(services, new ConfigurationBuilder().Build());
        silo.UseSystemTextJsonGrainStorageSerializer();
        silo.AddCivicBallotStorage(o =>
        {
            o.TableName = "CivicBallots";
            o.TableServiceClient = new TableServiceClient(options.Storage);
            o.EncryptionKey = options.BallotKey;
        });
        return services.BuildServiceProvider().GetRequiredService<BallotTable>();
    }

    private sealed class ServicesOnly(IServiceCollection services, IConfiguration configuration) : ISiloBuilder
    {
        public IServiceCollection Services => services;

        public IConfiguration Configuration => configuration;
    }

    private static async Task<bool> RoundAsync(Options options, BallotTable table, TokenSource tokens, HttpClient http, string roundId, int n)
    {
        Console.WriteLine();
        Console.WriteLine($"## {n:N0} stored ballots, round {roundId}");
        var admin = await tokens.GetAsync("admin");
        var stopwatch = Stopwatch.StartNew();
        await Setup.RoundAsync(http, tokens, roundId);
        var voterKeys = Enumerable.Range(0, n).Select(i => $"v{i:0000000}").ToArray();
        var register = await Setup.RegisterAsync(http, admin, roundId, voterKeys);
        Console.WriteLine($"set-up: round through screening, register {register} in {stopwatch.Elapsed.TotalSeconds:N1} s (not measured); load average {LoadAverage()}");

        stopwatch.Restart();
        var (expectedVotes, paper) = await SeedAsync(table, roundId, voterKeys, options.PaperShare);
        Console.WriteLine($"seed: {n:N0} sealed ballots ({n - paper:N0} online, {paper:N0} paper) written with the platform's BallotTable in 100-entity transactions: {stopwatch.Elapsed.TotalSeconds:N1} s = {n / stopwatch.Elapsed.TotalSeconds:N0}/s (not measured); load average {LoadAverage()}");

        var ceiling = await ReadCeilingAsync(table, roundId, options.ReadParallelism);
        Console.WriteLine($"storage read ceiling (raw Azurite queries, same ballots, 1,000 per page): shard by shard {ceiling.Sequential:N0} entities/s; {options.ReadParallelism} shards at once {(double.IsNaN(ceiling.Parallel) ? "did not finish" : $"{ceiling.Parallel:N0} entities/s")}; load average {LoadAverage()}");

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var r = $"/api/v1/rounds/{roundId}";
        var close = await TimeAsync(() => http.PostAsJsonAsync($"{r}/close", new { reason = "結果の夜ベンチマーク" }));
        var load = LoadAverage();
        var count = await TimeAsync(() => UntilAnsweredAsync(http, $"{r}/count"));
        var certify = await TimeAsync(() => UntilAnsweredAsync(http, $"{r}/certify"));
        var publish = await TimeAsync(() => http.PostAsJsonAsync($"{r}/publish", new { }));
        var firstRead = await TimeAsync(() => http.GetAsync($"{r}/ballots.csv"));
        http.DefaultRequestHeaders.Authorization = null;

        if (publish.Status != 200)
        {
            Console.WriteLine($"close {close.Seconds:N1} s ({close.Status}); count {count.Seconds:N1} s ({count.Status}); certify {certify.Seconds:N1} s ({certify.Status}); publish {publish.Seconds:N1} s ({publish.Status}): NOT PUBLISHED; load average {LoadAverage()}");
            return false;
        }

        var results = await http.GetFromJsonAsync<JsonElement>($"{r}/results");
        var voters = results.GetProperty("totals").GetProperty("voters").GetInt32();
        var votes = results.GetProperty("totals").GetProperty("votes").GetInt32();
        var total = close.Seconds + count.Seconds + certify.Seconds + publish.Seconds;
        Console.WriteLine($"close {close.Seconds:N1} s ({close.Status}); count {count.Seconds:N1} s ({count.Status}); certify (counts again) {certify.Seconds:N1} s ({certify.Status}); publish {publish.Seconds:N1} s ({publish.Status}); first ballots.csv {firstRead.Seconds:N1} s");
        Console.WriteLine($"load average (uptime) before the count {load}, after publishing {LoadAverage()}");
        Console.WriteLine($"close → count → certify → publish: {total:N1} s; the count: {n / count.Seconds:N0} ballots/s = {n / count.Seconds / ceiling.Sequential:P0} of the shard-by-shard read ceiling ({n / count.Seconds / ceiling.Parallel:P0} of the {options.ReadParallelism}-at-once one, the count's own)");
        var equal = voters == n && votes == expectedVotes;
        Console.WriteLine($"check: published voters {voters:N0} (stored {n:N0}), votes {votes:N0} (stored {expectedVotes:N0}): {(equal ? "equal" : "DIFFERENT")}");
        return equal && count.Status == 200 && certify.Status == 200 && publish.Status == 200;
    }

    /// <summary>The machine's load average (1, 5, 15 minutes) as <c>uptime</c> prints it: the machine is shared.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>
    /// A count or certification as a client should ask for a large one: the platform answers at once or, when it takes
    /// longer, 202 with a status location; that is asked every second (the figure's resolution) until the answer. A 503
    /// (a grain call past Orleans' response time-out, or the operation failing transiently) is the platform saying "try
    /// again": each step is idempotent, so the step is posted again after the answer's Retry-After, and each retry printed.
    /// </summary>
    private static async Task<HttpResponseMessage> UntilAnsweredAsync(HttpClient http, string url, int attempts = 5)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await http.PostAsJsonAsync(url, new { });
            var accepted = 0;
            while (response.StatusCode == System.Net.HttpStatusCode.Accepted && response.Headers.Location is { } location)
            {
                accepted++;
                response.Dispose();
                await Task.Delay(TimeSpan.FromSeconds(1));
                response = await http.GetAsync(location);
            }

            if (accepted > 0)
            {
                Console.WriteLine($"  {url}: answered 202, then {accepted} status request(s) until {(int)response.StatusCode}");
            }

            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == attempts)
            {
                return response;
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
            Console.WriteLine($"  {url}: 503 {await response.Content.ReadAsStringAsync()}; posting again after {wait.TotalSeconds:N0} s (Retry-After), retry {attempt} of {attempts - 1}; load average {LoadAverage()}");
            response.Dispose();
            await Task.Delay(wait);
        }
    }

    private static async Task<(double Seconds, int Status)> TimeAsync(Func<Task<HttpResponseMessage>> call)
    {
        var stopwatch = Stopwatch.StartNew();
        HttpResponseMessage answered;
        try
        {
            answered = await call();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // No answer at all (the client's 30 minutes passed, or the connection dropped): a figure of its own, status 0.
            Console.WriteLine($"  no answer after {stopwatch.Elapsed.TotalSeconds:N0} s: {e.GetType().Name}: {e.Message}");
            return (stopwatch.Elapsed.TotalSeconds, 0);
        }

        using var response = answered;
        await response.Content.ReadAsByteArrayAsync();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine($"  {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (seconds, (int)response.StatusCode);
    }

    /// <summary>
    /// Ballots as the ballot grain stores them (its state, sealed, and the sealed contribution columns), through the
    /// platform's own <see cref="BallotTable.ToEntity"/>: each voter 1 to 3 choices of the 7, one in
    /// <paramref name="paperShare"/> on paper. Written in 100-entity transactions, 16 partitions in parallel; as upserts, so a
    /// transaction the client sends again after a lost answer stores the same ballots once.
    /// </summary>
    private static async Task<(int Votes, int Paper)> SeedAsync(BallotTable table, string roundId, string[] voterKeys, double paperShare)
    {
        var client = await table.ClientAsync();
        var castAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        var votes = 0;
        var paper = 0;
        // Entities are made batch by batch (a million sealed ballots at once would hold gigabytes); only the voters'
        // indexes are grouped by partition up front.
        var batches = Enumerable.Range(0, voterKeys.Length)
            .GroupBy(i => table.Locate($"{roundId}:{voterKeys[i]}").PartitionKey)
            .SelectMany(partition => partition.Chunk(100))
            .ToList();
        TableEntity Entity(int i)
        {
            var random = new Random(i);
            // Proposals 1 and 2 draw the most, as on a real night; 1 to 3 distinct choices.
            var choices = Enumerable.Range(1, 7).OrderBy(c => random.NextDouble() * c).Take(random.Next(1, 4)).Order().ToArray();
            var onPaper = random.NextDouble() < paperShare;
            Interlocked.Add(ref votes, choices.Length);
            var state = new BallotState { ContributionVersion = 1 };
            if (onPaper)
            {
                Interlocked.Increment(ref paper);
                var serial = $"S{i:0000000}";
                state.Paper = new PaperBallotRecord(serial, DateOnly.FromDateTime(castAt.UtcDateTime), choices, castAt, "F01", "");
                state.PaperOutcomes[serial] = new PaperResult(PaperOutcomes.Accepted);
            }
            else
            {
                state.Online = new BallotReceipt(Convert.ToHexString(BitConverter.GetBytes(i)), castAt, choices, BallotChannel.Online, 1);
            }

            var (partition, row) = table.Locate($"{roundId}:{voterKeys[i]}");
            return table.ToEntity(partition, row, state);
        }

        // Progress every tenth of the ballots, so a long seed shows it is moving (and at what load).
        var done = 0;
        var stopwatch = Stopwatch.StartNew();
        var step = Math.Max(1, batches.Count / 10);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (batch, cancellation) =>
        {
            await client.SubmitTransactionAsync([.. batch.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(i)))], cancellation);
            if (Interlocked.Increment(ref done) % step == 0)
            {
                Console.WriteLine($"  seed: {done * 100 / batches.Count} % of the batches in {stopwatch.Elapsed.TotalSeconds:N0} s; load average {LoadAverage()}");
            }
        });
        return (votes, paper);
    }

    /// <summary>How fast the storage itself returns these ballots: the reader's query (same columns), without opening them.</summary>
    private static async Task<(double Sequential, double Parallel)> ReadCeilingAsync(BallotTable table, string roundId, int parallelism)
    {
        var client = await table.ClientAsync();
        async Task<int> ShardAsync(int shard)
        {
            var read = 0;
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {table.PartitionKey(roundId, shard)}");
            await foreach (var _ in client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey", BallotTable.DataColumn]))
            {
                read++;
            }

            return read;
        }

        // Each shard's time as it is read, and the pass's rate as soon as it is known: at 1,000,000 rows a pass takes many
        // minutes on the emulator, and a later failure must not take the figures measured so far with it.
        var stopwatch = Stopwatch.StartNew();
        var sequential = 0;
        for (var shard = 0; shard < TallySharding.ShardCount; shard++)
        {
            var lap = Stopwatch.StartNew();
            var rows = await ShardAsync(shard);
            sequential += rows;
            Console.WriteLine($"  ceiling, shard {shard + 1} of {TallySharding.ShardCount}: {rows:N0} rows in {lap.Elapsed.TotalSeconds:N1} s = {rows / lap.Elapsed.TotalSeconds:N0}/s; load average {LoadAverage()}");
        }

        var sequentialRate = sequential / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"storage read ceiling, shard by shard: {sequential:N0} rows in {stopwatch.Elapsed.TotalSeconds:N1} s = {sequentialRate:N0} entities/s; load average {LoadAverage()}");
        stopwatch.Restart();
        try
        {
            // As many at once as the platform's count reads (Storage:BallotReadParallelism, set from the same option).
            var parallel = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, TallySharding.ShardCount), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                async (shard, _) => Interlocked.Add(ref parallel, await ShardAsync(shard)));
            Console.WriteLine($"storage read ceiling, {parallelism} shards at once: {parallel:N0} rows in {stopwatch.Elapsed.TotalSeconds:N1} s; load average {LoadAverage()}");
            return (sequentialRate, parallel / stopwatch.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or TaskCanceledException)
        {
            // Seen at 1,000,000 rows on Azurite in memory with 16: 16 queries at once on its one thread, and a page took longer than the
            // storage client's network time-out (100 s) four times over. That is the emulator's ceiling, reported as such.
            Console.WriteLine($"storage read ceiling, {parallelism} shards at once: did not finish after {stopwatch.Elapsed.TotalSeconds:N0} s: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return (sequentialRate, double.NaN);
        }
    }
}
