using System.Diagnostics;
using System.Text.Json;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The OpenAPI document the platform serves, linted by a tool nobody here wrote: Redocly CLI (npm
/// <c>@redocly/cli</c>, pinned in tools/openapi-lint, installed with 'npm ci' on first use, as ical.js is for
/// <see cref="IcalCheck"/>) with its <c>recommended</c> ruleset.
/// </summary>
public static class OpenApiLint
{
    private static readonly string Folder = Path.Combine(Repository.Root, "tools", "openapi-lint");
    private static readonly Lazy<Task> Installed = new(InstallAsync);

    public sealed record Problem(string RuleId, string Severity, string Message, string? Pointer);

    /// <summary>Every problem Redocly's recommended rules find in the document (errors and warnings).</summary>
    public static async Task<IReadOnlyList<Problem>> LintAsync(string document)
    {
        await Installed.Value;
        var file = Path.Combine(Path.GetTempPath(), $"civic-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document);
        try
        {
            var (code, output, error) = await RunAsync(Path.Combine(Folder, "node_modules", ".bin", "redocly"),
                ["lint", "--extends", "recommended", "--format", "json", file]);
            var start = output.IndexOf('{', StringComparison.Ordinal);
            Assert.True(start >= 0, $"Redocly CLI gave no JSON report ({code}): {output}\n{error}");
            using var report = JsonDocument.Parse(output[start..]);
            return [.. report.RootElement.GetProperty("problems").EnumerateArray().Select(p => new Problem(
                p.GetProperty("ruleId").GetString()!,
                p.GetProperty("severity").GetString()!,
                p.GetProperty("message").GetString()!,
                p.TryGetProperty("location", out var location) && location.GetArrayLength() > 0
                    && location[0].TryGetProperty("pointer", out var pointer) ? pointer.GetString() : null))];
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task InstallAsync()
    {
        if (File.Exists(Path.Combine(Folder, "node_modules", "@redocly", "cli", "package.json")))
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

        // Redocly would otherwise ask the network for updates and send telemetry.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
