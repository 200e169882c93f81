using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// Dates as the ward's residents and staff write them: ISO (<c>2024-08-05</c>), and the Japanese era forms found
/// on registers and ballots (<c>令和6年8月5日</c>, <c>R6.8.5</c>, <c>R06.08.05</c>, <c>H30/8/5</c>, <c>平成30年8月5日</c>,
/// <c>S45.1.2</c>, <c>昭和45年</c>..., <c>元年</c> for the first year of an era), with full-width digits and letters.
/// A date is refused when it does not exist in its era: before the era began (令和元年4月1日) or after it ended
/// (平成32年, 平成31年5月1日). Era boundaries are the first days of each era in the Gregorian calendar (大正 1912-07-30,
/// 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01); 明治 is taken from 1868-01-25, its first year's new year.
/// </summary>
public static partial class WardDates
{
    private sealed record Era(string Kanji, char Letter, DateOnly First, DateOnly? Last);

    private static readonly Era[] Eras =
    [
        new("明治", 'M', new(1868, 1, 25), new(1912, 7, 29)),
        new("大正", 'T', new(1912, 7, 30), new(1926, 12, 24)),
        new("昭和", 'S', new(1926, 12, 25), new(1989, 1, 7)),
        new("平成", 'H', new(1989, 1, 8), new(2019, 4, 30)),
        new("令和", 'R', new(2019, 5, 1), null),
    ];

    /// <summary>The date, or null when the text is no date or a date that does not exist in the era it names.</summary>
    public static DateOnly? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var value = Narrow(text.Trim());
        if (DateOnly.TryParseExact(value, ["yyyy-MM-dd", "yyyy/M/d", "yyyy-M-d", "yyyy.M.d"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso))
        {
            return iso;
        }

        if (KanjiGregorian().Match(value) is { Success: true } g)
        {
            return Make(int.Parse(g.Groups["y"].Value, CultureInfo.InvariantCulture), g.Groups["m"].Value, g.Groups["d"].Value);
        }

        var match = EraForm().Match(value);
        if (!match.Success)
        {
            return null;
        }

        var name = match.Groups["era"].Value;
        var era = Eras.FirstOrDefault(e => e.Kanji == name || (name.Length == 1 && char.ToUpperInvariant(name[0]) == e.Letter));
        if (era is null)
        {
            return null;
        }

        var yearText = match.Groups["y"].Value;
        var year = yearText == "元" ? 1 : int.Parse(yearText, CultureInfo.InvariantCulture);
        if (year < 1 || Make(era.First.Year + year - 1, match.Groups["m"].Value, match.Groups["d"].Value) is not { } date)
        {
            return null;
        }

        return date >= era.First && (era.Last is null || date <= era.Last) ? date : null;
    }

    /// <summary>The date as ISO 8601 (<c>2024-08-05</c>), the form every stored date takes.</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The date in its era as residents read it (<c>令和6年8月5日</c>); ISO before the Meiji era.</summary>
    public static string ToEra(DateOnly date)
    {
        var era = Eras.LastOrDefault(e => date >= e.First);
        if (era is null)
        {
            return Iso(date);
        }

        var year = date.Year - era.First.Year + 1;
        return $"{era.Kanji}{(year == 1 ? "元" : year.ToString(CultureInfo.InvariantCulture))}年{date.Month}月{date.Day}日";
    }

    private static DateOnly? Make(int year, string month, string day) =>
        int.TryParse(month, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && int.TryParse(day, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
        && year is >= 1 and <= 9999 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(year, m)
            ? new DateOnly(year, m, d)
            : null;

    /// <summary>Full-width digits, letters and separators (as typed with a Japanese input method) to their ASCII forms.</summary>
    private static string Narrow(string text)
    {
        var narrow = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            narrow.Append(c switch
            {
                '．' or '。' => '.',
                '／' => '/',
                '－' or 'ー' or '―' or '‐' => '-',
                _ => c,
            });
        }

        return narrow.ToString().Replace(" ", "", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^(?<y>\d{4})年(?<m>\d{1,2})月(?<d>\d{1,2})日$")]
    private static partial Regex KanjiGregorian();

    [GeneratedRegex(@"^(?<era>明治|大正|昭和|平成|令和|[MTSHRmtshr])(?<y>\d{1,2}|元)(?:年(?<m>\d{1,2})月(?<d>\d{1,2})日|[./-](?<m>\d{1,2})[./-](?<d>\d{1,2}))$")]
    private static partial Regex EraForm();
}
