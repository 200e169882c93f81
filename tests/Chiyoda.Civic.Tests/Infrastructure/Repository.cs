using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>Where the repository and its built programs are, seen from the test assembly.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built in; the programs they start were built with them.</summary>
    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string ProjectDirectory(string project) => Path.Combine(Root, "src", project);

    public static string ProgramPath(string project) =>
        Path.Combine(ProjectDirectory(project), "bin", Configuration, "net10.0", project + ".dll");

    /// <summary>
    /// A port that is free now and stays free until bound much later: below the kernel's ephemeral range (32768–60999), so
    /// no outgoing connection is ever given it meanwhile (a port from <see cref="FreeTcpPort"/> kept for later was taken by
    /// one in CI, and every test that started a web process on it failed with "address already in use").
    /// </summary>
    public static int ReservedTcpPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(6000, 10000);
            // Handed out once per test run: two fixtures holding the same unbound port would take it from each other.
            lock (Reserved)
            {
                if (!Reserved.Add(port))
                {
                    continue;
                }
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException) when (attempt < 200)
            {
            }
        }
    }

    private static readonly HashSet<int> Reserved = [];

    public static int FreeTcpPort()
    {
        // Never the same port twice in a run: the system may hand a port just released straight out again, and Azurite's
        // blob and queue ports once came out equal (ci22: "EADDRINUSE", the shared storage down, 380 tests failed).
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chiyoda.Civic.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Chiyoda.Civic.sln not found above " + AppContext.BaseDirectory);
    }
}
