using System.Net.Sockets;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// One real Azurite for the whole test run, on free ports with its data in a fresh temporary
/// folder; started on first use and stopped when the run ends.
/// </summary>
public static class Azurite
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<Task<string>> Started = new(StartAsync);

    /// <summary>The connection string of the running emulator.</summary>
    public static Task<string> ConnectionStringAsync() => Started.Value;

    /// <summary>
    /// An Azurite of the caller's own, separate from the shared one, for tests that stop or pause the
    /// storage process (SIGSTOP) while other tests keep using theirs. The caller disposes the process.
    /// </summary>
    public static Task<(string ConnectionString, ChildProcess Process)> StartOwnAsync(string name) => StartProcessAsync(name);

    private static async Task<string> StartAsync() => (await StartProcessAsync("azurite")).ConnectionString;

    private static async Task<(string ConnectionString, ChildProcess Process)> StartProcessAsync(string name)
    {
        var executable = Path.Combine(Repository.Root, "tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}. Run ./test.sh (it runs 'npm ci' in tools/azurite).");
        }

        var location = Directory.CreateTempSubdirectory("civic-azurite-").FullName;
        int blob = Repository.FreeTcpPort(), queue = Repository.FreeTcpPort(), table = Repository.FreeTcpPort();
        var process = ChildProcess.Start(name, executable,
            ["--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", location,
             "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
             "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
             "--tableHost", "127.0.0.1", "--tablePort", table.ToString()],
            location);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("Azurite exited:\n" + process.RecentOutput);
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", table);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }

        return ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey +
                $";BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1" +
                $";QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1" +
                $";TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;", process);
    }
}
