using System.Diagnostics;
using System.Globalization;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>
/// The three-silo local cluster (<see cref="LocalCluster"/>) on an Azurite of its own, so the fault
/// tests may pause storage (SIGSTOP) and kill silos without touching what other tests use. Shared by
/// the fault tests, which run one at a time (<see cref="FaultCollection"/>); each test starts by
/// bringing back any silo an earlier test killed.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private ChildProcess? _storage;

    public FaultCluster()
    {
        Smtp = SmtpReceiver.Start();
        Cluster = new LocalCluster
        {
            Storage = StartStorageAsync,
            // Email on, to a receiver of the tests' own: reminders are sent while silos die (ReminderSiloKilledTests).
            ExtraArguments =
            [
                "--Email:Smtp:Host=127.0.0.1", $"--Email:Smtp:Port={Smtp.Port}", "--Email:Smtp:Security=None",
                "--Email:Smtp:From=Chiyoda Civic <no-reply@example.jp>", "--Email:Smtp:TimeoutSeconds=10",
                "--Reminders:EmailsPerSecond=20",
            ],
        };
    }

    /// <summary>The SMTP server every silo of the fault cluster sends to.</summary>
    public SmtpReceiver Smtp { get; }

    public LocalCluster Cluster { get; }

    /// <summary>The cluster's own Azurite (a node process): the one <see cref="PauseStorage"/> stops.</summary>
    public ChildProcess StorageProcess => _storage ?? throw new InvalidOperationException("storage not started");

    public Task InitializeAsync() => Cluster.InitializeAsync();

    /// <summary>Starts again every silo an earlier test killed and waits until all three are active members.</summary>
    public async Task RecoverAsync()
    {
        for (var index = 0; index < LocalCluster.Size; index++)
        {
            if (Cluster.Process(index).HasExited)
            {
                await Cluster.RestartAsync(index);
            }
        }
    }

    /// <summary>Bearer tokens for register voters <c>voter:{key}</c>, fetched once and reused by every round (a token names the voter, not the round).</summary>
    public async Task<IReadOnlyDictionary<string, string>> VoterTokensAsync(IReadOnlyCollection<string> voterKeys)
    {
        await _tokenLock.WaitAsync();
        try
        {
            var missing = voterKeys.Where(k => !_tokens.ContainsKey(k)).ToList();
            var fetched = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (key, _) => fetched[key] = await Cluster.TokenForAsync("voter:" + key));
            foreach (var (key, token) in fetched)
            {
                _tokens[key] = token;
            }

            return voterKeys.ToDictionary(k => k, k => _tokens[k], StringComparer.Ordinal);
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    /// <summary>
    /// SIGSTOP to the storage process (and anything it started): it stops answering but keeps its
    /// sockets, so requests hang rather than fail, as a storage account that stops responding would.
    /// </summary>
    public void PauseStorage() => Signal("STOP");

    /// <summary>SIGCONT: storage answers again, including the requests that waited.</summary>
    public void ResumeStorage() => Signal("CONT");

    public async Task DisposeAsync()
    {
        if (_storage is { } storage)
        {
            // Never leave it stopped: a stopped process would not end on SIGKILL's way out of the run either.
            ResumeStorage();
        }

        await Cluster.DisposeAsync();
        await Smtp.DisposeAsync();
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    private async Task<string> StartStorageAsync()
    {
        var (connectionString, process) = await Azurite.StartOwnAsync("azurite (faults)");
        _storage = process;
        return connectionString;
    }

    private void Signal(string signal)
    {
        var pids = Descendants(StorageProcess.Id).Prepend(StorageProcess.Id).Select(p => p.ToString(CultureInfo.InvariantCulture));
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, .. pids]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start");
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} of storage (pid {StorageProcess.Id}) exited with {kill.ExitCode}");
    }

    /// <summary>Processes below <paramref name="pid"/>, read from /proc (field 4 of /proc/N/stat is the parent).</summary>
    private static List<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[child] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        var found = new List<int>();
        var frontier = new Queue<int>([pid]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (child, of) in parents)
            {
                if (of == parent)
                {
                    found.Add(child);
                    frontier.Enqueue(child);
                }
            }
        }

        return found;
    }
}

/// <summary>
/// The fault tests kill silos and pause storage and measure how long voting is degraded, so they run one at a time,
/// on one cluster and one Azurite of their own that no other test uses: the kills and pauses disturb nothing else.
/// They run beside other collections: most of their minutes are waits (a 20 s pause, a silo's restart), which left
/// the machine idle for three and a half minutes when they ran alone at the end. Their bounds are generous enough
/// for a loaded machine (degraded for under a minute; a receipt or a clear 503 for every request);
/// <see cref="Infrastructure.LongestFirstCollectionOrderer"/> starts them once the first platform collection is done.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultCluster>
{
    public const string Name = "faults";
}
