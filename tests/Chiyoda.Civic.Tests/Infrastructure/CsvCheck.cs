using System.Diagnostics;
using System.Text.Json;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The CSV the platform exports, read back by a parser nobody here wrote: npm's csv-parse (pinned in
/// tools/csv-check, installed with 'npm ci' on first use, as the Azurite install is) in strict RFC 4180
/// mode, through tools/csv-check/check.mjs. Gives the records and every cell a spreadsheet would run.
/// </summary>
public static class CsvCheck
{
    private static readonly string Folder = Path.Combine(Repository.Root, "tools", "csv-check");
    private static readonly Lazy<Task> Installed = new(InstallAsync);

    public sealed record Parsed(IReadOnlyList<IReadOnlyList<string>> Records, IReadOnlyList<string> FormulaCells);

    /// <summary>Parses the text; fails the test with csv-parse's message when it is not valid CSV.</summary>
    public static Task<Parsed> ParseAsync(string text, char delimiter = ',', bool relaxColumnCount = false) =>
        ParseAsync(System.Text.Encoding.UTF8.GetBytes(text), delimiter, relaxColumnCount);

    /// <summary>Parses the bytes exactly as served (a UTF-8 BOM is dropped, as spreadsheets drop it: csv-parse's <c>bom</c> option).</summary>
    public static async Task<Parsed> ParseAsync(byte[] bytes, char delimiter = ',', bool relaxColumnCount = false)
    {
        await Installed.Value;
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var file = Path.Combine(Path.GetTempPath(), $"civic-csv-{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(file, bytes);
        try
        {
            var (code, output, error) = await RunAsync("node", ["check.mjs", file, delimiter.ToString(), relaxColumnCount ? "relax" : "strict"]);
            Assert.True(code == 0, $"csv-parse refused the file ({code}): {error}\n{text}");
            var json = JsonDocument.Parse(output).RootElement;
            return new Parsed(
                [.. json.GetProperty("records").EnumerateArray().Select(r => (IReadOnlyList<string>)[.. r.EnumerateArray().Select(c => c.GetString()!)])],
                [.. json.GetProperty("formulaCells").EnumerateArray().Select(c => c.GetProperty("cell").GetString()!)]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task InstallAsync()
    {
        if (File.Exists(Path.Combine(Folder, "node_modules", "csv-parse", "package.json")))
        {
            return;
        }

        var (code, output, error) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
        if (code != 0)
        {
            throw new InvalidOperationException($"npm ci in {Folder} failed ({code}):\n{output}\n{error}");
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
