using System.Text;

namespace Chiyoda.Civic.Web.Files;

/// <summary>
/// Reads the CSV files wards exchange: UTF-8 with or without a byte-order mark, or Shift_JIS (what
/// Japanese spreadsheet software writes), in RFC 4180 form (quoted fields, doubled quotes, CRLF or LF).
/// </summary>
public static class DelimitedText
{
    static DelimitedText() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Decodes the bytes; null when they are neither valid UTF-8 nor Shift_JIS text (e.g. a binary file).</summary>
    public static string? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        if (bytes.IndexOf((byte)0) >= 0)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
        }

        try
        {
            return Encoding.GetEncoding(932, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The records of the text with their line numbers (of the line each record starts on); a malformed record has its error.</summary>
    public static IEnumerable<CsvRecord> Parse(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        var quoted = false;
        string? error = null;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    quoted = false;
                    i++;
                    if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    {
                        error ??= "text after a closing quote";
                    }

                    continue;
                }

                if (c == '\n')
                {
                    line++;
                }

                field.Append(c);
                i++;
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    i++;
                    break;
                case '"':
                    error ??= "a quote inside an unquoted field";
                    field.Append(c);
                    i++;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    i++;
                    break;
                case '\r' or '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                    if (!(fields.Count == 1 && fields[0].Length == 0))
                    {
                        yield return new CsvRecord(recordLine, [.. fields], error);
                    }

                    fields.Clear();
                    error = null;
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    i++;
                    break;
            }
        }

        if (quoted)
        {
            error ??= "a quoted field that never closes";
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return new CsvRecord(recordLine, [.. fields], error);
        }
    }

    /// <summary>Full-width digits and letters to their ASCII forms, surrounding spaces (including the ideographic space) removed.</summary>
    public static string Normalize(string value) => value.Normalize(NormalizationForm.FormKC).Trim();
}

public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, string? Error);
