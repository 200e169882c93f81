using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Web.Files;

namespace Chiyoda.Civic.Web.RoundResults;

/// <summary>One download of a round's results: its name, media type, bytes and SHA-256 (lower-case hex).</summary>
public sealed record OpenDataFile(string Name, string MediaType, byte[] Content)
{
    public string Sha256 { get; } = Convert.ToHexString(SHA256.HashData(Content)).ToLowerInvariant();
}

/// <summary>
/// The published results as documents: JSON, CSV, anonymised ballots (CSV and PABULIB). Fixed bytes, so their digests hold.
/// The per-ballot files are null when the round counted fewer ballots than <see cref="MinimumBallots"/>
/// (<see cref="BallotFilesWithheld"/>): a handful of ballots beside what people know of each other names voters.
/// </summary>
public sealed record OpenDataSet(ResultsView View, ResultsRound Round, IReadOnlyList<PublishedBallot> Ballots,
    OpenDataFile ResultsJson, OpenDataFile ResultsCsv, OpenDataFile? BallotsCsv, OpenDataFile? Pabulib, int MinimumBallots = 0)
{
    public IEnumerable<OpenDataFile> Files => new[] { ResultsJson, ResultsCsv, BallotsCsv, Pabulib }.OfType<OpenDataFile>();

    public bool BallotFilesWithheld => BallotsCsv is null;

    /// <summary>Whether <paramref name="name"/> is one of the per-ballot files (withheld below the minimum).</summary>
    public static bool IsBallotFile(string name) => name is "ballots.csv" or "ballots.pb";

    public OpenDataFile? ByName(string name) => Files.FirstOrDefault(f => f.Name == name);
}

/// <summary>The round as its open data describes it: names, the voting window (the close as it happened) and how many votes a voter had.</summary>
public sealed record ResultsRound(string RoundId, string Name, string? NameEn, DateTimeOffset VotingOpens, DateTimeOffset VotingCloses, int MaxVotesPerVoter);

/// <summary>
/// Writes the open-data files. Formats (docs/api.md): results.csv has one row per proposal
/// (<c>item=proposal</c>, with <c>tied</c>: the same vote count as another proposal) then one row per total, ballots.csv one row per counted ballot
/// (<c>ballot_id,channel,choices</c>, choices as ballot numbers joined by ';'), ballots.pb the PABULIB
/// format (approval ballots, cost 1 per project, budget = proposals adopted). Lines end in CRLF (RFC 4180); the CSVs are UTF-8 with a BOM (for Excel), ballots.pb and the JSON without one.
/// </summary>
public static class OpenData
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
    };

    public static string Path(string roundId, string file) => $"/api/v1/rounds/{roundId}/{file}";

    /// <summary>
    /// The files of a published (or certified) count. Below <paramref name="minimumBallots"/> counted ballots the per-ballot
    /// files (ballots.csv, ballots.pb) are not made at all, and results.json lists only what is published.
    /// </summary>
    public static OpenDataSet Build(ResultsView view, ResultsRound round, IReadOnlyList<PublishedBallot> ballots, int minimumBallots = 0)
    {
        var certified = view.Certified!;
        var adoption = view.Adoption!;
        var resultsCsv = new OpenDataFile("results.csv", "text/csv; charset=utf-8", CsvWriter.ForPeople(ResultsCsv(certified.Table, adoption)));
        var perBallot = ballots.Count >= minimumBallots;
        var ballotsCsv = perBallot ? new OpenDataFile("ballots.csv", "text/csv; charset=utf-8", CsvWriter.ForPeople(BallotsCsv(ballots))) : null;
        var pabulib = perBallot ? new OpenDataFile("ballots.pb", "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(Pabulib(round, certified.Table, adoption, ballots))) : null;
        var document = new ResultsDocument(
            round.RoundId, round.Name, round.NameEn, certified.CertifiedAt, view.PublishedAt,
            new ResultsTotals(certified.Table.Voters, certified.Table.OnlineVoters, certified.Table.PaperVoters, certified.Table.Votes,
                certified.Table.InvalidPaperBallots, certified.Table.DuplicatePaperBallots, certified.Table.Registered, Math.Round(certified.Table.Turnout, 4), certified.Table.KioskVoters),
            [.. certified.Table.Proposals.Select(p => new ResultsProposal(p.BallotNumber, p.ProposalId, p.Title, p.TitleEn, p.Votes, p.Rank, p.Tied, adoption.Adopted.Contains(p.BallotNumber)))],
            new ResultsAdoption(adoption.AdoptedCount, adoption.Adopted, adoption.TiedAtCutoff, adoption.Overridden, adoption.Reason),
            [.. certified.Table.AgeBands.Select(b => new ResultsAgeBand(b.From, b.To, b.Voters))],
            [.. new[] { resultsCsv, ballotsCsv, pabulib }.OfType<OpenDataFile>().Select(f => new ResultsDownload(f.Name, Path(round.RoundId, f.Name), f.Sha256, Download.ReprDigestOf(Convert.FromHexString(f.Sha256))))],
            view.AuditHead is { } head ? new ResultsAuditLog(head.Entries, head.Sha256) : null);
        var resultsJson = new OpenDataFile("results", "application/json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(document, Json));
        return new OpenDataSet(view, round, ballots, resultsJson, resultsCsv, ballotsCsv, pabulib, minimumBallots);
    }

    public static string ResultsCsv(ResultTable table, Adoption adoption)
    {
        var csv = new CsvWriter();
        // tied last: a reader that takes the columns by position before it still finds them where they were.
        csv.Row("item", "ballot_number", "proposal_id", "title", "title_en", "count", "rank", "adopted", "tied");
        foreach (var p in table.Proposals)
        {
            csv.Row("proposal", Int(p.BallotNumber), p.ProposalId, p.Title, p.TitleEn ?? "", Int(p.Votes), Int(p.Rank),
                adoption.Adopted.Contains(p.BallotNumber) ? "true" : "false", p.Tied ? "true" : "false");
        }

        foreach (var (item, count) in new[]
        {
            ("voters", table.Voters), ("online_voters", table.OnlineVoters), ("paper_voters", table.PaperVoters), ("kiosk_voters", table.KioskVoters), ("votes", table.Votes),
            ("invalid_paper_ballots", table.InvalidPaperBallots), ("duplicate_paper_ballots", table.DuplicatePaperBallots), ("registered", table.Registered),
        })
        {
            csv.Row(item, "", "", "", "", Int(count), "", "", "");
        }

        return csv.ToString();
    }

    public static string BallotsCsv(IReadOnlyList<PublishedBallot> ballots)
    {
        var csv = new CsvWriter(ballots.Count * 32);
        csv.Row("ballot_id", "channel", "choices");
        foreach (var b in PublishedBallots.InIdOrder(ballots))
        {
            csv.Row(b.BallotId, Channel(b.Channel), string.Join(';', b.Choices.Select(Int)));
        }

        return csv.ToString();
    }

    /// <summary>
    /// PABULIB (pabulib.org/format): sections META, PROJECTS and VOTES, each a header line then ';'-separated rows; a
    /// vote lists project ids joined by ','. META has the format's obligatory keys first, in the format's order, then
    /// optional keys in the order its checker expects. <c>max_length</c> is the round's rule (votes a voter had), not
    /// the longest ballot cast; the dates are the first and the last day of the voting window in ward time (the close
    /// as it happened, so an early close shows). Approval voting with every project at cost 1 and the budget the
    /// number of proposals adopted: greedy selection on that budget adopts the top ones, as the ward does.
    /// </summary>
    public static string Pabulib(ResultsRound round, ResultTable table, Adoption adoption, IReadOnlyList<PublishedBallot> ballots)
    {
        var pb = new StringBuilder(ballots.Count * 32);
        pb.Append("META\r\nkey;value\r\n");
        foreach (var (key, value) in new[]
        {
            ("description", Pb(round.NameEn ?? round.Name)),
            ("country", "Japan"),
            ("unit", "Chiyoda City"),
            ("instance", Pb(round.RoundId)),
            ("num_projects", Int(table.Proposals.Count)),
            ("num_votes", Int(ballots.Count)),
            ("budget", Int(adoption.AdoptedCount)),
            ("vote_type", "approval"),
            ("rule", "greedy"),
            ("date_begin", PbDate(round.VotingOpens)),
            // The window ends at its close instant: a close at 00:00 ward time means voting ended the day before.
            ("date_end", PbDate(round.VotingCloses.AddTicks(-1))),
            ("min_length", "1"),
            ("max_length", Int(round.MaxVotesPerVoter)),
            ("language", "ja"),
            ("comment", Pb("#1: Each project costs 1 and the budget is the number of proposals adopted (the most voted ones); names are as printed on the Japanese ballot.")),
        })
        {
            pb.Append(key).Append(';').Append(value).Append("\r\n");
        }

        pb.Append("PROJECTS\r\nproject_id;cost;votes;name;selected\r\n");
        foreach (var p in table.Proposals.OrderBy(p => p.BallotNumber))
        {
            pb.Append(Int(p.BallotNumber)).Append(";1;").Append(Int(p.Votes)).Append(';').Append(Pb(p.Title)).Append(';')
                .Append(adoption.Adopted.Contains(p.BallotNumber) ? '1' : '0').Append("\r\n");
        }

        pb.Append("VOTES\r\nvoter_id;vote;voting_method\r\n");
        foreach (var b in PublishedBallots.InIdOrder(ballots))
        {
            pb.Append(b.BallotId).Append(';').Append(string.Join(',', b.Choices.Select(Int))).Append(';')
                .Append(b.Channel switch { BallotChannel.Paper => "paper", BallotChannel.Kiosk => "kiosk", _ => "internet" }).Append("\r\n");
        }

        return pb.ToString();
    }

    public static string Channel(BallotChannel channel) => BallotChannels.Name(channel);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A free-text PABULIB field: on one line (line breaks and tabs become spaces, the format is read line by line),
    /// without surrounding spaces (its checker refuses them), quoted with '"' when it holds ';' or '"' (a '"' inside
    /// doubled), as the format's reader (Python's csv module with ';') expects. A .pb file opens in a spreadsheet as
    /// easily as a CSV, so it is neutralised the same way (a leading ' before = + - @).
    /// </summary>
    private static string Pb(string value)
    {
        var text = CsvWriter.Neutralised(value.Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ').Trim());
        return text.AsSpan().IndexOfAny(';', '"') >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    /// <summary>A PABULIB date: DD.MM.YYYY, the day in ward time.</summary>
    private static string PbDate(DateTimeOffset at) => WardClock.ToWardTime(at).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset at) => WardClock.ToWardTime(at).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>results.json (internal, not private: the OpenAPI document describes the download by it).</summary>
    internal sealed record ResultsDocument(string RoundId, string Name, string? NameEn,
        [property: JsonConverter(typeof(WardInstant))] DateTimeOffset CertifiedAt,
        [property: JsonConverter(typeof(WardNullableInstant))] DateTimeOffset? PublishedAt,
        ResultsTotals Totals, IReadOnlyList<ResultsProposal> Proposals, ResultsAdoption Adoption, IReadOnlyList<ResultsAgeBand> AgeBands, IReadOnlyList<ResultsDownload> Downloads,
        ResultsAuditLog? AuditLog);

    /// <summary>The audit chain's head at publication: the first <see cref="Entries"/> lines of audit.csv chain to <see cref="HeadSha256"/>.</summary>
    internal sealed record ResultsAuditLog(long Entries, string HeadSha256);

    internal sealed record ResultsTotals(int Voters, int OnlineVoters, int PaperVoters, int Votes, int InvalidPaperBallots, int DuplicatePaperBallots, int Registered, double Turnout, int KioskVoters);

    internal sealed record ResultsProposal(int BallotNumber, string ProposalId, string Title, string? TitleEn, int Votes, int Rank, bool Tied, bool Adopted);

    internal sealed record ResultsAdoption(int AdoptedCount, IReadOnlyList<int> Adopted, IReadOnlyList<int> TiedAtCutoff, bool Overridden, string? Reason);

    internal sealed record ResultsAgeBand(int From, int? To, int? Voters);

    /// <summary>A file with its SHA-256 as hex and as the <c>Repr-Digest</c> field its download carries (RFC 9530, uncompressed).</summary>
    internal sealed record ResultsDownload(string Name, string Href, string Sha256, string ReprDigest);

    private sealed class WardInstant : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(Iso(value));
    }

    private sealed class WardNullableInstant : JsonConverter<DateTimeOffset?>
    {
        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is { } v)
            {
                writer.WriteStringValue(Iso(v));
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
