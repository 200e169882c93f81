using System.Text;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Web.Files;

/// <summary>
/// The one way the platform writes CSV (results, ballots, batch reports, the audit log): served as UTF-8 with a BOM
/// (<see cref="ForPeople"/>), RFC 4180
/// (fields with a comma, quote, CR or LF are quoted, quotes doubled; records end in CRLF), and no cell
/// a spreadsheet would run. A cell starting with = + - @, a tab or a CR is a formula or a formula's
/// disguise to Excel and LibreOffice (OWASP "CSV injection"), so it gets a leading ' and is shown as text.
/// Titles, serials, facility names and voter keys come from residents and clerks; every cell goes
/// through <see cref="Cell"/>, so no export can forget it.
/// </summary>
public sealed class CsvWriter
{
    private readonly StringBuilder _text;

    public CsvWriter(int capacity = 256) => _text = new StringBuilder(capacity);

    /// <summary>The characters that make a spreadsheet read a cell as a formula when it starts with one.</summary>
    public static ReadOnlySpan<char> FormulaStarts => CsvCell.FormulaStarts;

    public CsvWriter Row(params IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                _text.Append(',');
            }

            _text.Append(Cell(field));
            first = false;
        }

        _text.Append("\r\n");
        return this;
    }

    public override string ToString() => _text.ToString();

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    /// <summary>The file as served to people: UTF-8 with a BOM (<see cref="ForPeople"/>).</summary>
    public byte[] ToUtf8WithBom() => ForPeople(_text.ToString());

    /// <summary>
    /// A CSV meant for people, as bytes: UTF-8 with a byte-order mark. Japanese Excel, which most ward staff and
    /// journalists open CSV with, reads a CSV without one as Shift_JIS and shows every Japanese title garbled.
    /// Digests of a download are taken over these bytes, BOM included, as served.
    /// </summary>
    public static byte[] ForPeople(string text) => [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)];

    /// <summary>One field as written: neutralised, then quoted when it needs to be (<see cref="CsvCell"/>).</summary>
    public static string Cell(string? value) => CsvCell.Write(value);

    /// <summary>The value with a leading ' when a spreadsheet would otherwise run it; also for formats that are not CSV but open in one (PABULIB).</summary>
    public static string Neutralised(string value) => CsvCell.Neutralised(value);
}
