namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// How every CSV cell the platform writes is written (the one rule behind <c>Web/Files/CsvWriter</c> and the audit
/// chain's <c>AuditCsv</c>, whose bytes are hashed): a value a spreadsheet would run as a formula (starting with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a CR) gets a leading <c>'</c>; then RFC 4180 quoting.
/// </summary>
public static class CsvCell
{
    public static ReadOnlySpan<char> FormulaStarts => "=+-@\t\r";

    public static string Write(string? value)
    {
        var text = Neutralised(value ?? "");
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    /// <summary>The value with a leading ' when a spreadsheet would otherwise run it; also for formats that are not CSV but open in one (PABULIB).</summary>
    public static string Neutralised(string value) =>
        value.Length > 0 && FormulaStarts.Contains(value[0]) ? "'" + value : value;
}
