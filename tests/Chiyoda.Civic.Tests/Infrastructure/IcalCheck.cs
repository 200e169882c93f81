using System.Text.Json;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The iCalendar the platform publishes, read back by a parser nobody here wrote: npm's ical.js (pinned in
/// tools/ical-check, installed with 'npm ci' on first use, as csv-parse is for CsvCheck), through
/// tools/ical-check/check.mjs. Gives each event's UID, SEQUENCE and its start and end as UTC instants as
/// ical.js computes them from the file's own VTIMEZONE, and each VTIMEZONE's observances.
/// </summary>
public static class IcalCheck
{
    private static readonly NodeTool Tool = new("ical-check", "ical.js");

    public sealed record Event(string Uid, int Sequence, string Summary, DateTimeOffset Start, DateTimeOffset End, string? StartZone, string? Url);

    public sealed record Observance(string Kind, string? DtStart, string? OffsetFrom, string? OffsetTo, string? Name);

    public sealed record TimeZone(string TzId, IReadOnlyList<Observance> Observances);

    public sealed record Parsed(IReadOnlyList<Event> Events, IReadOnlyList<TimeZone> TimeZones);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Parses the text; fails the test with ical.js's message when it does not parse.</summary>
    public static async Task<Parsed> ParseAsync(string text)
    {
        var file = Path.Combine(Path.GetTempPath(), $"civic-ical-{Guid.NewGuid():N}.ics");
        await File.WriteAllTextAsync(file, text);
        try
        {
            var (code, output, error) = await Tool.RunAsync("check.mjs", file);
            Assert.True(code == 0, $"ical.js refused the file ({code}): {error}\n{text}");
            return JsonSerializer.Deserialize<Parsed>(output, Json)!;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
