using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Web.Files;

namespace Chiyoda.Civic.Web.PaperBallots;

/// <summary>
/// The paper-ballot file (design brief §5): header <c>ballot_serial,facility,cast_date,voter_key,choices</c>,
/// UTF-8 with or without BOM or Shift_JIS, RFC 4180 quoting, full-width digits and surrounding spaces
/// normalised. A line that cannot be read as a ballot is kept as malformed with its reason (it is a
/// ballot in the box all the same); a file that is not a ballot file at all is refused whole.
/// </summary>
public static class PaperBallotFile
{
    public const string Header = "ballot_serial,facility,cast_date,voter_key,choices";
    public const int MaxBytes = 32 * 1024 * 1024;

    public static (List<PaperLine> Lines, string? Code, string? FileError) Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            return ([], PaperErrorCodes.FileTooLarge, $"A paper-ballot file may be at most {MaxBytes / 1024 / 1024} MB.");
        }

        var text = DelimitedText.Decode(bytes);
        if (text is null)
        {
            return ([], PaperErrorCodes.NotAPaperBallotFile, "The file is not text in UTF-8 or Shift_JIS.");
        }

        var lines = new List<PaperLine>();
        var first = true;
        foreach (var record in DelimitedText.Parse(text))
        {
            if (first)
            {
                first = false;
                if (string.Join(',', record.Fields.Select(f => DelimitedText.Normalize(f).ToLowerInvariant())) != Header)
                {
                    return ([], PaperErrorCodes.NotAPaperBallotFile, $"The first line must be the header '{Header}'.");
                }

                continue;
            }

            if (lines.Count >= PaperChunking.MaxLinesPerBatch)
            {
                return ([], PaperErrorCodes.FileTooLarge, $"A batch holds at most {PaperChunking.MaxLinesPerBatch} lines.");
            }

            lines.Add(ReadLine(record));
        }

        return first ? ([], PaperErrorCodes.NotAPaperBallotFile, $"The file is empty; the first line must be the header '{Header}'.") : (lines, null, null);
    }

    private static PaperLine ReadLine(CsvRecord record)
    {
        string Field(int i) => i < record.Fields.Count ? DelimitedText.Normalize(record.Fields[i]) : "";
        var line = new PaperLine(record.Line, Field(0), Field(1), PaperLineRules.TidyDate(Field(2)), Field(3), PaperLineRules.TidyChoices(Field(4)));
        var malformed = record switch
        {
            { Error: not null } => PaperReasons.BadQuoting,
            { Fields.Count: not 5 } => PaperReasons.WrongFieldCount,
            _ => PaperLineRules.Malformation(line.Serial, line.CastDate, line.VoterKey),
        };
        return malformed is null ? line : line with { Malformed = malformed, Status = PaperLineStatuses.Malformed, Reason = malformed };
    }
}
