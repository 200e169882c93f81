using System.Diagnostics;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// A checker written by others, run with Node: a folder under tools/ with a package.json and lock file pinning the
/// npm package, installed with 'npm ci' on first use (once per test run) and called as 'node script args...' (a script of
/// the folder, or a package's own entry point under node_modules), with the tool's environment variables.
/// </summary>
public sealed class NodeTool(string folderName, string package, IReadOnlyDictionary<string, string>? environment = null)
{
    private readonly string _folder = Path.Combine(Repository.Root, "tools", folderName);
    private readonly Lazy<Task> _installed = new(() => InstallAsync(Path.Combine(Repository.Root, "tools", folderName), package));

    /// <summary>Runs a script of the tool's folder (installing the package first if needed).</summary>
    public async Task<(int Code, string Output, string Error)> RunAsync(string script, params string[] arguments)
    {
        await _installed.Value;
        return await RunInAsync(_folder, "node", [script, .. arguments], environment);
    }

    private static async Task InstallAsync(string folder, string package)
    {
        if (File.Exists(Path.Combine(folder, "node_modules", package, "package.json")))
        {
            return;
        }

        var (code, output, error) = await RunInAsync(folder, "npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
        if (code != 0)
        {
            throw new InvalidOperationException($"npm ci in {folder} failed ({code}):\n{output}\n{error}");
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunInAsync(string folder, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
