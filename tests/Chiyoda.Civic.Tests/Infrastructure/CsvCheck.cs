using System.Text.Json;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The CSV the platform exports, read back by a parser nobody here wrote: npm's csv-parse (pinned in
/// tools/csv-check, installed with 'npm ci' on first use, as the Azurite install is) in strict RFC 4180
/// mode, through tools/csv-check/check.mjs. Gives the records and every cell a spreadsheet would run.
/// </summary>
public static class CsvCheck
{
    private static readonly NodeTool Tool = new("csv-check", "csv-parse");

    public sealed record Parsed(IReadOnlyList<IReadOnlyList<string>> Records, IReadOnlyList<string> FormulaCells);

    /// <summary>Parses the text; fails the test with csv-parse's message when it is not valid CSV.</summary>
    public static Task<Parsed> ParseAsync(string text, char delimiter = ',', bool relaxColumnCount = false) =>
        ParseAsync(System.Text.Encoding.UTF8.GetBytes(text), delimiter, relaxColumnCount);

    /// <summary>Parses the bytes exactly as served (a UTF-8 BOM is dropped, as spreadsheets drop it: csv-parse's <c>bom</c> option).</summary>
    public static async Task<Parsed> ParseAsync(byte[] bytes, char delimiter = ',', bool relaxColumnCount = false)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var file = Path.Combine(Path.GetTempPath(), $"civic-csv-{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(file, bytes);
        try
        {
            var (code, output, error) = await Tool.RunAsync("check.mjs", file, delimiter.ToString(), relaxColumnCount ? "relax" : "strict");
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
}
