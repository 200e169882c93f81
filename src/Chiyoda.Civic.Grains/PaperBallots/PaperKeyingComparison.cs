using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.PaperBallots;

namespace Chiyoda.Civic.Grains.PaperBallots;

/// <summary>What comparing a batch's two keyings found: the disagreements kept (at most <see cref="PaperChunking.MaxDisagreements"/>), how many there are, and the keying-time statuses of the lines both agree on.</summary>
public sealed record PaperComparison(
    IReadOnlyList<PaperDisagreement> Disagreements,
    int DisagreementCount,
    IReadOnlyDictionary<string, int> AgreedStatuses);

/// <summary>
/// The rules of double keying, apart from the grain that stores the keyings: how a keying's lines are tidied, which
/// ballot each line is, where two keyings disagree (and on which fields), the batch's status, and the lines a commit
/// takes. No storage and no Orleans, so unit tests reach every rule directly.
/// </summary>
public static class PaperKeyingComparison
{
    /// <summary>
    /// Re-derives what the grain must not take on trust: a line that cannot be read as a ballot is
    /// malformed whatever the caller said, a line from another facility than the batch's is refused
    /// (an empty facility is the batch's), and a serial seen earlier in the keying is the same ballot entered again.
    /// </summary>
    public static List<PaperLine> Tidy(IReadOnlyList<PaperLine> lines, string batchFacility)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<PaperLine>(lines.Count);
        foreach (var raw in lines)
        {
            var facility = raw.Facility.Trim();
            var line = raw with
            {
                Serial = raw.Serial.Trim(), Facility = facility.Length == 0 ? batchFacility : facility, CastDate = PaperLineRules.TidyDate(raw.CastDate), VoterKey = VoterKeys.Normalize(raw.VoterKey),
                Choices = PaperLineRules.TidyChoices(raw.Choices),
            };
            var malformed = line.Malformed ?? PaperLineRules.Malformation(line.Serial, line.CastDate, line.VoterKey, line.Facility, batchFacility);
            if (malformed is not null)
            {
                line = line with { Malformed = malformed, Status = PaperLineStatuses.Malformed, Reason = malformed };
            }
            else if (!seen.Add(line.Serial))
            {
                line = line with { Status = PaperLineStatuses.Reentered, Reason = PaperReasons.RepeatedSerial };
            }
            else if (line.Status == PaperLineStatuses.Malformed || line.Reason == PaperReasons.RepeatedSerial)
            {
                line = line with { Status = PaperLineStatuses.AcceptedForCommit, Reason = null };
            }

            result.Add(line);
        }

        return result;
    }

    /// <summary>Which ballot a line is: its serial (with the occurrence for a repeat), or its line number when the serial cannot be read.</summary>
    public static List<(string Key, PaperLine Line)> Keyed(IEnumerable<PaperLine> lines)
    {
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        var keyed = new List<(string, PaperLine)>();
        foreach (var line in lines)
        {
            if (line.Malformed is PaperReasons.MissingSerial or PaperReasons.BadSerial)
            {
                keyed.Add(($"#{line.Line}", line));
                continue;
            }

            var n = occurrences[line.Serial] = occurrences.GetValueOrDefault(line.Serial) + 1;
            keyed.Add((n == 1 ? line.Serial : $"{line.Serial}#{n}", line));
        }

        return keyed;
    }

    /// <summary>
    /// Compares the first clerk's lines with the second's, ballot by ballot (<see cref="Keyed"/>): a ballot both keyed with
    /// the same content agrees; any other ballot, including one only one clerk keyed, is a disagreement.
    /// </summary>
    public static PaperComparison Compare(IReadOnlyList<PaperLine> first, IReadOnlyList<PaperLine> second)
    {
        var firstKeyed = Keyed(first);
        var secondKeyed = Keyed(second);
        var secondByKey = secondKeyed.ToDictionary(k => k.Key, k => k.Line, StringComparer.Ordinal);
        var firstKeys = new HashSet<string>(firstKeyed.Select(k => k.Key), StringComparer.Ordinal);
        var agreed = new Dictionary<string, int>(StringComparer.Ordinal);
        var disagreements = new List<PaperDisagreement>();
        var count = 0;
        void Add(PaperDisagreement disagreement)
        {
            count++;
            if (disagreements.Count < PaperChunking.MaxDisagreements)
            {
                disagreements.Add(disagreement);
            }
        }

        foreach (var (key, line) in firstKeyed)
        {
            var other = secondByKey.GetValueOrDefault(key);
            if (other is not null && other.Content == line.Content)
            {
                agreed[line.Status] = agreed.GetValueOrDefault(line.Status) + 1;
            }
            else
            {
                Add(new PaperDisagreement(key, line, other));
            }
        }

        foreach (var (key, line) in secondKeyed.Where(k => !firstKeys.Contains(k.Key)))
        {
            Add(new PaperDisagreement(key, null, line));
        }

        return new PaperComparison(disagreements, count, agreed);
    }

    /// <summary>The names of the fields two keyings of one ballot disagree on (every field, when one keying lacks the line).</summary>
    public static IReadOnlyList<string> DifferingFields(PaperLine? first, PaperLine? second)
    {
        if (first is null || second is null)
        {
            return ["line"];
        }

        var fields = new List<string>();
        void Compare(string name, string a, string b)
        {
            if (!string.Equals(a, b, StringComparison.Ordinal))
            {
                fields.Add(name);
            }
        }

        Compare("ballot_serial", first.Serial, second.Serial);
        Compare("facility", first.Facility, second.Facility);
        Compare("cast_date", first.CastDate, second.CastDate);
        Compare("voter_key", first.VoterKey, second.VoterKey);
        Compare("choices", PaperLineRules.CanonicalChoices(first.Choices), PaperLineRules.CanonicalChoices(second.Choices));
        Compare("unreadable", first.Unreadable ? "1" : "", second.Unreadable ? "1" : "");
        return fields;
    }

    /// <summary>
    /// Where a batch stands from its keyings: open, keyed once, agreed (no disagreement, or every one resolved and not too
    /// many to resolve line by line), or in disagreement.
    /// </summary>
    public static string Status(int keyings, int disagreementCount, IReadOnlyList<PaperDisagreement> disagreements, IReadOnlyList<PaperResolution> resolutions) =>
        keyings < 2
            ? (keyings == 0 ? PaperBatchStatuses.Open : PaperBatchStatuses.KeyedOnce)
            : disagreementCount == 0 || (disagreementCount <= PaperChunking.MaxDisagreements && disagreements.All(d => resolutions.Any(r => r.Key == d.Key)))
                ? PaperBatchStatuses.Agreed
                : PaperBatchStatuses.Disagreement;

    /// <summary>
    /// The batch as committed: each agreed line, and for each disagreement the line the administrator chose (none, when
    /// the resolution has no line). A serial that appears twice in the final lines counts once: the later ones are the
    /// same ballot entered again.
    /// </summary>
    public static List<PaperLine> FinalLines(IReadOnlyList<PaperLine> first, IReadOnlyList<PaperLine> second, IReadOnlyList<PaperResolution> resolutions, string batchFacility)
    {
        var firstKeyed = Keyed(first);
        var secondKeyed = Keyed(second);
        var resolved = resolutions.ToDictionary(r => r.Key, r => r.Line, StringComparer.Ordinal);
        var firstKeys = new HashSet<string>(firstKeyed.Select(k => k.Key), StringComparer.Ordinal);
        var final = new List<PaperLine>();
        foreach (var (key, line) in firstKeyed.Concat(secondKeyed.Where(k => !firstKeys.Contains(k.Key))))
        {
            var chosen = resolved.TryGetValue(key, out var resolution) ? resolution : line;
            if (chosen is not null)
            {
                final.Add(chosen);
            }
        }

        return Tidy(final, batchFacility);
    }
}
