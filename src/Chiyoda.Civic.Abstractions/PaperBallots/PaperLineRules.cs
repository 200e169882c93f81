using System.Globalization;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Abstractions.PaperBallots;

/// <summary>
/// The rules a keyed line is checked against, shared by the keying screen, the file import and the
/// commit. They follow the ballot grain's order (window, register, age, then the marks), so the
/// check shown while keying is the outcome the commit gives unless another ballot of the voter intervenes.
/// </summary>
public static partial class PaperLineRules
{
    /// <summary>
    /// The structural checks of a line: the reason it is malformed, or null. With <paramref name="batchFacility"/>,
    /// the line's facility must be the batch's (an empty one is taken as the batch's).
    /// </summary>
    public static string? Malformation(string serial, string castDate, string voterKey, string facility = "", string? batchFacility = null) =>
        Structure(serial, castDate, voterKey)
        ?? (batchFacility is not null && facility.Trim() is { Length: > 0 } named && !string.Equals(named, batchFacility, StringComparison.Ordinal)
            ? PaperReasons.FacilityMismatch
            : null);

    private static string? Structure(string serial, string castDate, string voterKey)
    {
        if (serial.Length == 0)
        {
            return PaperReasons.MissingSerial;
        }

        if (!KeyPattern().IsMatch(serial))
        {
            return PaperReasons.BadSerial;
        }

        if (castDate.Length == 0)
        {
            return PaperReasons.MissingCastDate;
        }

        if (ParseDate(castDate) is null)
        {
            return PaperReasons.BadCastDate;
        }

        if (voterKey.Length == 0)
        {
            return PaperReasons.MissingVoterKey;
        }

        // The key becomes part of a grain key, so nothing beyond the register's own alphabet gets through.
        return KeyPattern().IsMatch(voterKey) ? null : PaperReasons.BadVoterKey;
    }

    /// <summary>An ISO date or a Japanese era date (<see cref="WardDates"/>), or null.</summary>
    public static DateOnly? ParseDate(string value) => WardDates.Parse(value);

    /// <summary>The cast date as stored and compared between keyings: ISO when it can be read (令和6年8月5日 and 2024-08-05 are one date), else as keyed.</summary>
    public static string TidyDate(string value) => ParseDate(value) is { } date ? WardDates.Iso(date) : value.Trim();

    /// <summary>
    /// The ballot numbers marked, or null when the marks are not ballot numbers between separators (an unreadable ballot).
    /// Empty is a blank ballot. Between two numbers: ';' (as stored), ',', '、', '/', '|' or spaces, so clerks may key
    /// "3;4", "3,4", "3 4" or "３、４" (full width is read as half width); "34" is ballot number 34, never a guess at 3 and 4,
    /// and an empty place ("3;;4", ";3") is not a number.
    /// </summary>
    public static IReadOnlyList<int>? ParseChoices(string choices)
    {
        var text = choices.Normalize(System.Text.NormalizationForm.FormKC).Trim();
        if (text.Length == 0)
        {
            return [];
        }

        if (!ChoicesPattern().IsMatch(text))
        {
            return null;
        }

        return [.. NumberPattern().Matches(text).Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture))];
    }

    [GeneratedRegex(@"^[0-9]{1,6}(?:\s*[;,、/|]\s*[0-9]{1,6}|\s+[0-9]{1,6})*$")]
    private static partial Regex ChoicesPattern();

    [GeneratedRegex("[0-9]{1,6}")]
    private static partial Regex NumberPattern();

    /// <summary>The marks as clerks compare them: numbers sorted (the order on paper means nothing), else the text as keyed.</summary>
    public static string CanonicalChoices(string choices) =>
        ParseChoices(choices) is { } numbers ? string.Join(';', numbers.Order()) : choices.Trim();

    /// <summary>The marks as stored: "1;4;7" without spaces or leading zeros, in the order keyed; unreadable text as keyed.</summary>
    public static string TidyChoices(string choices) =>
        ParseChoices(choices) is { } numbers ? string.Join(';', numbers) : choices.Trim();

    /// <summary>The first and last ward-local days on which a paper ballot may have been cast.</summary>
    /// <summary>
    /// The check of one line that is not malformed: ineligible (window, register, age), invalid (unreadable
    /// or spoiled marks), or accepted for commit. <paramref name="voter"/> is the register entry, null when not on it.
    /// </summary>
    public static (string Status, string? Reason) Check(PaperLine line, RoundSchedule schedule, RoundRules rules, Shortlist? shortlist, RegisterEntry? voter)
    {
        if (line.Malformed is { } malformed)
        {
            return (PaperLineStatuses.Malformed, malformed);
        }

        var castDate = ParseDate(line.CastDate)!.Value;
        var (first, last) = BallotRules.CastDays(schedule);
        if (castDate < first || castDate > last)
        {
            return (PaperLineStatuses.Ineligible, BallotErrorCodes.CastDateOutsideWindow);
        }

        if (voter is null)
        {
            return (PaperLineStatuses.Ineligible, BallotErrorCodes.NotOnRegister);
        }

        if (!Eligibility.IsOfAge(voter.Birthdate, rules.MinimumAge, castDate))
        {
            return (PaperLineStatuses.Ineligible, BallotErrorCodes.UnderAge);
        }

        if (line.Unreadable || ParseChoices(line.Choices) is not { } choices)
        {
            return (PaperLineStatuses.Invalid, PaperReasons.Unreadable);
        }

        return BallotRules.CheckChoices(choices, rules, shortlist) is { } spoiled
            ? (PaperLineStatuses.Invalid, spoiled)
            : (PaperLineStatuses.AcceptedForCommit, null);
    }

    /// <summary>Serials, voter keys, facility codes and batch ids: letters, digits, '-' and '_' (never ':', the grain key separator).</summary>
    public static bool IsKey(string value) => KeyPattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex KeyPattern();
}
