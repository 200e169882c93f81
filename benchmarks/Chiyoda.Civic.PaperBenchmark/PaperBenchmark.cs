using Chiyoda.Civic.Grains.Ballots.Storage;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Grains.Rounds;
using Chiyoda.Civic.Web.PaperBallots;
using Chiyoda.Civic.Web.Proposals;
using Chiyoda.Civic.Web.Register;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chiyoda.Civic.PaperBenchmark;

/// <summary>
/// Imports, double-keys and commits one batch of paper ballots against a fresh Azurite, with the
/// silo in this process and grain state in Azure Table storage exactly as the platform stores it,
/// and measures the raw Azurite write ceiling in the same run.
/// Usage: dotnet run -c Release --project benchmarks/Chiyoda.Civic.PaperBenchmark -- paper --ballots 100000
/// </summary>
public static class PaperBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        var ballots = Option(args, "--ballots", 100_000);
        var ceilingSeconds = Option(args, "--ceiling-seconds", 10);
        var parallelism = Option(args, "--parallelism", new Chiyoda.Civic.Grains.PaperBallots.PaperBallotOptions().CommitParallelism);
        var root = FindRepository();
        Console.WriteLine($"Paper-ballot benchmark: {ballots:N0} ballots, {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024 / 1024 / 1024} GiB");

        var location = Directory.CreateTempSubdirectory("civic-paper-bench-").FullName;
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        using var azurite = StartAzurite(root, location, blob, queue, table);
        try
        {
            var connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
            await WaitForPortAsync(table);

            var (single, batched) = await CeilingAsync(connection, TimeSpan.FromSeconds(ceilingSeconds));
            Console.WriteLine($"Azurite ceiling: {single:N0} single-entity upserts/s, {batched:N0} entities/s in 100-entity batch transactions (64 concurrent)");

            using var host = BuildSilo(connection, parallelism);
            Console.WriteLine($"Commit parallelism: {parallelism} ballots in flight");
            await host.StartAsync();
            await RunAsync(host.Services, ballots, single);
            await host.StopAsync();
            return 0;
        }
        finally
        {
            try
            {
                azurite.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            try
            {
                Directory.Delete(location, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// The shortlist the one way onto a ballot, while the round's call is open: residents submit, staff screen
    /// through every stage (scoring where a stage is scored), an administrator publishes proposals p-1..p-n.
    /// </summary>
    private static async Task ShortlistThroughScreeningAsync(ProposalService proposals, Chiyoda.Civic.Web.Screening.ScreeningService screening, string roundId, int count)
    {
        var staff = new Actor("admin", "管理者", IsAdministrator: true);
        var ids = Enumerable.Range(1, count).Select(n => $"p-{n}").ToList();
        foreach (var (id, n) in ids.Select((id, i) => (id, i + 1)))
        {
            var author = new Actor($"voter:proposer-{n % 4 + 1}", "提案者");
            var content = new ProposalContent($"提案 {n}", "概要", "課題", "解決策", "効果", "administration", ProposerRelation.Lives, null);
            Check((await proposals.CreateAsync(roundId, id, author, content)).Succeeded, "propose");
            Check((await proposals.SubmitAsync(roundId, id, author)).Succeeded, "submit");
        }

        foreach (var stage in (await screening.ConfigAsync(roundId)).Setup.Stages)
        {
            foreach (var id in ids.Where(_ => stage.Kind == StageKind.Scored))
            {
                Check((await screening.ScoreAsync(roundId, id, staff, stage.Number, stage.Criteria.ToDictionary(c => c.Id, _ => 4))).Succeeded, "score");
            }

            var decided = await screening.DecideManyAsync(roundId, ids, staff, stage.Number, $"bench-{stage.Number}", DecisionKind.Advance, null);
            Check(decided.All(d => d.Result.Succeeded), $"screen at stage {stage.Number}");
        }

        Check((await screening.PublishShortlistAsync(roundId, staff, ids)).Succeeded, "shortlist");
    }

    private static async Task RunAsync(IServiceProvider services, int ballots, double ceiling)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        var time = TimeProvider.System;
        var known = new KnownRounds(grains);
        var rounds = new RoundService(grains, time, known);
        var register = new RegisterService(grains);
        var paper = new PaperBallotService(grains, rounds, register);

        // A round open for voting, its 7-proposal shortlist, a register with one voter per ballot.
        var roundId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var now = time.GetUtcNow();
        var schedule = new RoundSchedule(now.AddDays(-60), now.AddDays(1), now.AddDays(1), now.AddDays(30), now.AddDays(40));
        var definition = new RoundDefinition("紙投票ベンチマーク", "Paper benchmark", schedule, RoundRules.WardDefaults);
        Check((await rounds.CreateAsync(roundId, definition)).Succeeded, "create round");
        var proposals = new ProposalService(grains, known);
        await ShortlistThroughScreeningAsync(proposals, new Chiyoda.Civic.Web.Screening.ScreeningService(grains, proposals), roundId, 7);
        Check((await rounds.UpdateAsync(roundId, definition with { Schedule = schedule with { CallCloses = now.AddDays(-30), VotingOpens = now.AddDays(-1) } })).Succeeded, "open voting");
        var clock = Stopwatch.StartNew();
        var registerCsv = new StringBuilder("voter_key,name_kana,birthdate,postcode\n");
        for (var i = 0; i < ballots; i++)
        {
            registerCsv.Append(CultureInfo.InvariantCulture, $"v{i:D7},クミン タロウ,{1950 + i % 50}-{1 + i % 12:D2}-{1 + i % 28:D2},102-8688\n");
        }

        var (loaded, registerError) = await register.LoadAsync(roundId, Encoding.UTF8.GetBytes(registerCsv.ToString()));
        Check(registerError is null && loaded!.Added == ballots, "register");
        Console.WriteLine($"Register of {ballots:N0} loaded in {clock.Elapsed.TotalSeconds:F1} s (setup, not measured)");
        Check((await paper.SetFacilitiesAsync(roundId, [new PaperFacility("F01", "区役所")])).Count == 0, "facilities");
        var opened = await paper.OpenBatchAsync(roundId, "bench", "F01", WardClock.Today(time), ballots, new PaperActor("clerk", "投票事務", false));
        Check(opened.Succeeded, "open batch");

        // The file: every ballot valid but one in a hundred spoiled (too many choices), so both paths are timed.
        var today = WardClock.Today(time).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var file = new StringBuilder(PaperBallotFile.Header + "\r\n");
        for (var i = 0; i < ballots; i++)
        {
            var choices = i % 100 == 99 ? "1;2;3;4" : $"{1 + i % 7};{1 + (i + 3) % 7}";
            file.Append(CultureInfo.InvariantCulture, $"P{i:D7},F01,{today},v{i:D7},{choices}\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(file.ToString());
        Console.WriteLine($"File: {ballots:N0} lines, {bytes.Length / 1024.0 / 1024.0:F1} MB");

        var parse = Stopwatch.StartNew();
        var (lines, code, _) = PaperBallotFile.Read(bytes);
        parse.Stop();
        Check(code is null && lines.Count == ballots, "parse");
        var validate = Stopwatch.StartNew();
        var checkedLines = await paper.CheckAsync(roundId, lines, "F01");
        validate.Stop();
        Check(checkedLines.Count(l => l.Status == PaperLineStatuses.AcceptedForCommit) == ballots - ballots / 100, "validate");
        Console.WriteLine($"Parse: {ballots / parse.Elapsed.TotalSeconds:N0} lines/s ({parse.Elapsed.TotalSeconds:F2} s); " +
                          $"validate (register, window, age, marks, serial registry): {ballots / validate.Elapsed.TotalSeconds:N0} lines/s ({validate.Elapsed.TotalSeconds:F2} s); " +
                          $"together {ballots / (parse.Elapsed + validate.Elapsed).TotalSeconds:N0} lines/s");

        var keying1 = Stopwatch.StartNew();
        var first = await paper.ImportAsync(roundId, "bench", bytes, new PaperActor("clerk", "投票事務", false));
        keying1.Stop();
        Check(first.Report is not null, "first keying " + first.Code);
        var keying2 = Stopwatch.StartNew();
        var second = await paper.ImportAsync(roundId, "bench", bytes, new PaperActor("clerk-2", "投票事務 二", false));
        keying2.Stop();
        Check(second.Report?.Batch?.Summary.Status == PaperBatchStatuses.Agreed, "second keying " + second.Code);
        Console.WriteLine($"Keying 1 (import: parse, validate, store {ballots / PaperChunking.LinesPerChunk} chunks): {keying1.Elapsed.TotalSeconds:F1} s; " +
                          $"keying 2 (the same, plus line-by-line comparison): {keying2.Elapsed.TotalSeconds:F1} s");

        var commit = Stopwatch.StartNew();
        var started = await paper.CommitAsync(roundId, "bench", new PaperActor("admin", "管理者", true), null);
        Check(started.Succeeded, "commit " + started.Code);
        PaperBatchView view;
        do
        {
            view = (await paper.WaitForCommitAsync(roundId, "bench", TimeSpan.FromSeconds(10)))!;
            Console.WriteLine($"  commit: {view.Commit?.LinesDecided:N0} of {view.Commit?.Lines:N0} lines decided at {commit.Elapsed.TotalSeconds:F0} s{(view.Commit?.LastError is { } e ? " (stopped: " + e + ")" : "")}");
            Check(view.Commit?.LastError is null, "commit stopped");
        }
        while (view.Summary.Status != PaperBatchStatuses.Committed);

        commit.Stop();
        var r = view.Summary.Reconciliation;
        var totals = (await Task.WhenAll(TallySharding.AllShardKeys(roundId).Select(k => grains.GetGrain<ITallyShardGrain>(k).GetTotalsAsync())))
            .Aggregate(TallyTotals.Empty, (sum, shard) => sum.Add(shard));
        Check(r.Accepted == ballots - ballots / 100 && r.Invalid == ballots / 100 && totals.PaperVoters == r.Accepted, "outcomes and tally");
        Console.WriteLine($"Commit: {ballots:N0} ballots in {commit.Elapsed.TotalSeconds:F1} s = {ballots / commit.Elapsed.TotalSeconds:N0} ballots/s " +
                          $"(accepted {r.Accepted:N0}, invalid {r.Invalid:N0}; tally paper voters {totals.PaperVoters:N0})");
        Console.WriteLine($"Ceiling beside it: {ceiling:N0} single-entity writes/s (one ballot is one ballot-grain write)");
        Console.WriteLine($"Whole batch (import, second keying, commit): {(keying1.Elapsed + keying2.Elapsed + commit.Elapsed).TotalSeconds:F1} s");
    }

    private static IHost BuildSilo(string connection, int parallelism)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "paper-bench", clusterId: "paper-bench");
            silo.Services.Configure<Chiyoda.Civic.Grains.PaperBallots.PaperBallotOptions>(o => o.CommitParallelism = parallelism);
            silo.UseSystemTextJsonGrainStorageSerializer();
            silo.AddAzureTableGrainStorage(StorageNames.GrainState, options =>
            {
                options.TableName = "CivicGrainState";
                options.TableServiceClient = new TableServiceClient(connection);
            });
            silo.AddCivicBallotStorage(options =>
            {
                options.TableServiceClient = new TableServiceClient(connection);
                options.EncryptionKey = BallotSealing.NewKey();
            });
        });
        return builder.Build();
    }

    /// <summary>Raw Azurite: single-entity upserts and 100-entity batch transactions, 64 requests in flight each.</summary>
    private static async Task<(double Single, double Batched)> CeilingAsync(string connection, TimeSpan duration)
    {
        var client = new TableServiceClient(connection).GetTableClient("ceiling");
        await client.CreateIfNotExistsAsync();
        var payload = new string('x', 400);

        long singles = 0;
        var until = DateTime.UtcNow + duration;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async worker =>
        {
            for (var n = 0; DateTime.UtcNow < until; n++)
            {
                await client.UpsertEntityAsync(new TableEntity($"s{worker}", $"{n}") { ["Data"] = payload });
                Interlocked.Increment(ref singles);
            }
        }));
        var single = singles / sw.Elapsed.TotalSeconds;

        long batchedEntities = 0;
        until = DateTime.UtcNow + duration;
        sw.Restart();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async worker =>
        {
            for (var n = 0; DateTime.UtcNow < until; n++)
            {
                var actions = Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                    new TableEntity($"b{worker}-{n}", $"{i}") { ["Data"] = payload })).ToList();
                await client.SubmitTransactionAsync(actions);
                Interlocked.Add(ref batchedEntities, 100);
            }
        }));
        return (single, batchedEntities / sw.Elapsed.TotalSeconds);
    }

    private static Process StartAzurite(string root, string location, int blob, int queue, int table)
    {
        var executable = Path.Combine(root, "tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}; run ./test.sh or ./run.sh once (npm ci in tools/azurite).");
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", location, "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(CultureInfo.InvariantCulture), "--tableHost", "127.0.0.1", "--tablePort", table.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("azurite: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chiyoda.Civic.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository.");
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark step failed: {what}");
        }
    }
}
