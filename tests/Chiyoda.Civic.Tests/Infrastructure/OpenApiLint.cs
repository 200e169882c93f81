using System.Text.Json;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The OpenAPI document the platform serves, linted by a tool nobody here wrote: Redocly CLI (npm
/// <c>@redocly/cli</c>, pinned in tools/openapi-lint) with its <c>recommended</c> ruleset, run through
/// <see cref="NodeTool"/> as ical.js (<see cref="IcalCheck"/>) and csv-parse (<see cref="CsvCheck"/>) are.
/// </summary>
public static class OpenApiLint
{
    /// <summary>Redocly would otherwise ask the network for updates and send telemetry.</summary>
    private static readonly NodeTool Tool = new("openapi-lint", "@redocly/cli", new Dictionary<string, string>
    {
        ["REDOCLY_TELEMETRY"] = "off",
        ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
    });

    /// <summary>The package's command-line entry point (its <c>bin</c>), run by node.</summary>
    private const string Cli = "node_modules/@redocly/cli/bin/cli.js";

    public sealed record Problem(string RuleId, string Severity, string Message, string? Pointer);

    /// <summary>Every problem Redocly's recommended rules find in the document (errors and warnings).</summary>
    public static async Task<IReadOnlyList<Problem>> LintAsync(string document)
    {
        var file = Path.Combine(Path.GetTempPath(), $"civic-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document);
        try
        {
            var (code, output, error) = await Tool.RunAsync(Cli, "lint", "--extends", "recommended", "--format", "json", file);
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
}
