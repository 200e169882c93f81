using System.Globalization;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Web.Files;

namespace Chiyoda.Civic.Web.Register;

/// <summary>What became of one line of a register file.</summary>
/// <remarks>
/// <see cref="Fields"/>: for <c>missing-field</c>, the empty required fields by their header names (<c>voter_key</c>, <c>name_kana</c>,
/// <c>birthdate</c>). <see cref="DuplicateOf"/>: for <c>duplicate-key</c>, the line that holds the voter key first (and was read),
/// so the clerk can compare the two lines.
/// </remarks>
public sealed record RegisterLineOutcome(int Line, string? VoterKey, string Outcome, string? Reason = null, IReadOnlyList<string>? Fields = null, int? DuplicateOf = null);

/// <summary>The report of a register load: a line each, and the counts.</summary>
/// <remarks><see cref="Lines"/>: the lines read after the header; <see cref="BlankLines"/>: empty lines passed over (not in <see cref="Lines"/>), so the two add up to what an editor shows.</remarks>
public sealed record RegisterLoadReport(int Lines, int Added, int Updated, int Unchanged, int Refused, IReadOnlyList<RegisterLineOutcome> Outcomes, int BlankLines = 0);

/// <summary>
/// The register file: header <c>voter_key,name_kana,birthdate,postcode</c>, one voter a line. A bad
/// line is refused with its reason and never stops the good ones.
/// </summary>
public static partial class RegisterFile
{
    public const string Header = "voter_key,name_kana,birthdate,postcode";
    public const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>The file's format as the API contract gives it (the register upload's description and body), from what <see cref="Read"/> takes.</summary>
    public const string Format = "A CSV file (RFC 4180, UTF-8 or Shift_JIS, at most 64 MB) whose first line is the header `" + Header + "`, then one voter a line "
        + "with the four fields: `voter_key` (required; 1 to 64 of A-Z a-z 0-9 _ -, read as NFKC lower case), `name_kana` (required), `birthdate` "
        + "(required; ISO 2024-08-05 or a Japanese era date such as R6.8.5), `postcode` (may be empty; 102-8688 or 1028688). A bad line is refused "
        + "with its reason in the report (missing-field, wrong-field-count, bad-voter-key, bad-date, future-birthdate, bad-postcode, duplicate-key, malformed) and "
        + "never stops the good ones; empty lines are passed over. A file that is not text or lacks the header is refused whole (not-a-register-file).";

    public static class Outcomes
    {
        public const string Added = "added";
        public const string Updated = "updated";
        public const string Unchanged = "unchanged";
        public const string Refused = "refused";
    }

    public static class Reasons
    {
        public const string MissingField = "missing-field";
        public const string WrongFieldCount = "wrong-field-count";
        public const string BadVoterKey = "bad-voter-key";
        public const string BadDate = "bad-date";

        /// <summary>A birthdate after today (in the ward): no one on a register is born tomorrow; a typo in the year, most likely.</summary>
        public const string FutureBirthdate = "future-birthdate";
        public const string BadPostcode = "bad-postcode";
        public const string DuplicateKey = "duplicate-key";
        public const string Malformed = "malformed";
    }

    /// <summary>Why a file is refused whole: a code the pages translate (resx <c>FileError.{code}</c>) and the API's English detail.</summary>
    public static class FileErrors
    {
        public const string NotText = "not-text";
        public const string NoHeader = "no-header";

        /// <summary>Not a fault of the file: the round's voting has closed, so its register no longer changes.</summary>
        public const string VotingClosed = "register-closed";

        public static string Detail(string code) => code switch
        {
            NotText => "The file is not text in UTF-8 or Shift_JIS.",
            VotingClosed => "Voting in this round has closed: its register is final and no longer changes.",
            _ => $"The first line must be the header '{Header}'.",
        };
    }

    /// <summary>The required fields (the first three), by their header names.</summary>
    public static readonly IReadOnlyList<string> RequiredFields = ["voter_key", "name_kana", "birthdate"];

    /// <summary>Reads the file; the error (a <see cref="FileErrors"/> code) says why a file is refused whole (not text, or not a register file).</summary>
    public static (IReadOnlyList<(int Line, RegisterEntry Entry)> Entries, List<RegisterLineOutcome> Refused, int Lines, string? FileError, int BlankLines) Read(ReadOnlySpan<byte> bytes, DateOnly? today = null)
    {
        var text = DelimitedText.Decode(bytes);
        if (text is null)
        {
            return ([], [], 0, FileErrors.NotText, 0);
        }

        var records = DelimitedText.Parse(text).ToList();
        if (records.Count == 0 || string.Join(',', records[0].Fields.Select(f => DelimitedText.Normalize(f).ToLowerInvariant())) != Header)
        {
            return ([], [], 0, FileErrors.NoHeader, 0);
        }

        var entries = new List<(int, RegisterEntry)>();
        var refused = new List<RegisterLineOutcome>();
        // Each voter key with the line that holds it first.
        var firstLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var spaceOnly = 0;
        foreach (var record in records.Skip(1))
        {
            // A line of spaces alone is an empty line too (counted with them below), not a line with one field.
            if (record.Fields.Count == 1 && string.IsNullOrWhiteSpace(record.Fields[0]) && record.Error is null)
            {
                spaceOnly++;
                continue;
            }

            var key = record.Fields.Count > 0 ? VoterKeys.Normalize(record.Fields[0]) : null;
            // Read once: a register of a million lines is checked and stored from the same parse.
            var birthdate = record.Fields.Count == 4 ? WardDates.Parse(record.Fields[2]) : null;
            string? reason = record switch
            {
                { Error: not null } => Reasons.Malformed,
                { Fields.Count: not 4 } => Reasons.WrongFieldCount,
                _ when record.Fields.Take(3).Any(f => DelimitedText.Normalize(f).Length == 0) => Reasons.MissingField,
                _ when !VoterKeyPattern().IsMatch(key!) => Reasons.BadVoterKey,
                _ when birthdate is null => Reasons.BadDate,
                _ when birthdate > today => Reasons.FutureBirthdate,
                _ when DelimitedText.Normalize(record.Fields[3]) is { Length: > 0 } postcode && !PostcodePattern().IsMatch(postcode) => Reasons.BadPostcode,
                _ when !firstLines.TryAdd(key!, record.Line) => Reasons.DuplicateKey,
                _ => null,
            };
            if (reason is not null)
            {
                refused.Add(new RegisterLineOutcome(record.Line, key, Outcomes.Refused, reason, reason == Reasons.MissingField
                    ? [.. RequiredFields.Where((_, i) => DelimitedText.Normalize(record.Fields[i]).Length == 0)]
                    : null,
                    reason == Reasons.DuplicateKey ? firstLines[key!] : null));
                continue;
            }

            entries.Add((record.Line, new RegisterEntry(
                key!,
                DelimitedText.Normalize(record.Fields[1]),
                birthdate!.Value,
                DelimitedText.Normalize(record.Fields[3]))));
        }

        return (entries, refused, records.Count - 1 - spaceOnly, null, EmptyLinesAfter(text, records[0].Line));
    }

    /// <summary>
    /// Empty lines (or spaces alone) after the header, which the reader passes over: the report names them so its count of lines adds up to
    /// what the clerk sees in an editor. (No register field holds a line break, so an empty line is never inside a value.)
    /// </summary>
    private static int EmptyLinesAfter(string text, int headerLine)
    {
        var lines = text.Split('\n');
        // A last line break ends the file: what follows it is not a line.
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        return lines.Take(count).Skip(headerLine).Count(string.IsNullOrWhiteSpace);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex VoterKeyPattern();

    [GeneratedRegex("^[0-9]{3}-?[0-9]{4}$")]
    private static partial Regex PostcodePattern();
}
