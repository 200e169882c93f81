using Chiyoda.Civic.Abstractions.Register;
using System.Globalization;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Web.Files;

namespace Chiyoda.Civic.Web.PaperBallots;

/// <summary>
/// What a clerk types on the keying screen, turned into the forms of the paper-ballot file
/// (<see cref="PaperBallotFile"/>), so a typed keying and an imported one compare field by field.
/// Anything that cannot be turned is passed on as typed: the line rules then say what is wrong with it.
/// </summary>
public static partial class PaperKeyingInput
{
    /// <summary>"1 4 7", "1,4,7", "1、4、7" or "１；４；７" become "1;4;7"; other text (an unreadable ballot, "?") stays as typed.</summary>
    public static string Choices(string typed)
    {
        var text = DelimitedText.Normalize(typed);
        return PaperLineRules.TidyChoices(string.Join(';', ChoiceSeparators().Split(text).Where(part => part.Length > 0)));
    }

    /// <summary>
    /// The cast date as YYYY-MM-DD. Blank is the batch's session date (most ballots in a box were cast
    /// that day); 2024/8/5, 20240805, 2024年8月5日 and 8/5 (the session's year) are accepted as well.
    /// </summary>
    public static string CastDate(string typed, DateOnly sessionDate)
    {
        var text = DelimitedText.Normalize(typed);
        return text.Length == 0
            ? sessionDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : Date(text, sessionDate.Year)?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? text;
    }

    /// <summary>A date as a clerk may type it, or null.</summary>
    public static DateOnly? Date(string typed, int? defaultYear = null)
    {
        var text = DelimitedText.Normalize(typed);
        if (PaperLineRules.ParseDate(text) is { } iso)
        {
            return iso;
        }

        if (FullDate().Match(text) is { Success: true } full)
        {
            return Make(full.Groups["y"].Value, full.Groups["m"].Value, full.Groups["d"].Value);
        }

        if (defaultYear is { } year && MonthDay().Match(text) is { Success: true } monthDay)
        {
            return Make(year.ToString(CultureInfo.InvariantCulture), monthDay.Groups["m"].Value, monthDay.Groups["d"].Value);
        }

        return null;

        static DateOnly? Make(string y, string m, string d) =>
            int.TryParse(y, CultureInfo.InvariantCulture, out var yy) && int.TryParse(m, CultureInfo.InvariantCulture, out var mm)
            && int.TryParse(d, CultureInfo.InvariantCulture, out var dd) && mm is >= 1 and <= 12 && yy is >= 1900 and <= 2999
            && dd >= 1 && dd <= DateTime.DaysInMonth(yy, mm)
                ? new DateOnly(yy, mm, dd)
                : null;
    }

    /// <summary>
    /// A voter typed as kana name and birthdate ("ヤマダ ハナコ 1960-04-01", the date first or last), for the
    /// register lookup; null when the text is a voter key or not of that shape.
    /// </summary>
    public static (string Kana, DateOnly Birthdate)? VoterQuery(string typed)
    {
        var text = DelimitedText.Normalize(typed);
        if (PaperLineRules.IsKey(text))
        {
            return null;
        }

        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            return null;
        }

        if (Date(parts[^1]) is { } last)
        {
            return (string.Join(' ', parts[..^1]), last);
        }

        return Date(parts[0]) is { } first ? (string.Join(' ', parts[1..]), first) : null;
    }

    /// <summary>A voter key as typed (NFKC, trimmed, lower case: <see cref="VoterKeys"/>).</summary>
    public static string VoterKey(string typed) => VoterKeys.Normalize(typed);

    /// <summary>A ballot serial as typed (NFKC, trimmed).</summary>
    public static string Serial(string typed) => DelimitedText.Normalize(typed);

    [GeneratedRegex(@"[\s,;、，；]+")]
    private static partial Regex ChoiceSeparators();

    [GeneratedRegex(@"^(?<y>\d{4})(?:[/.\-年](?<m>\d{1,2})[/.\-月](?<d>\d{1,2})日?|(?<m>\d{2})(?<d>\d{2}))$")]
    private static partial Regex FullDate();

    [GeneratedRegex(@"^(?<m>\d{1,2})[/月](?<d>\d{1,2})日?$")]
    private static partial Regex MonthDay();
}
