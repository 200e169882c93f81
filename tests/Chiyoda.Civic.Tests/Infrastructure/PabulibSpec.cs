using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// A reader of PABULIB files written from the format's published description (pabulib.org/format) and its
/// checker's field rules, not from the platform's writer: sections META, PROJECTS, VOTES in that order, each a
/// header line then ';'-separated rows, a field quoted with '"' when it holds ';' or '"' (a '"' inside doubled);
/// META's obligatory keys present, non-empty and first, in the format's order; dates DD.MM.YYYY (or YYYY); no
/// cell with surrounding spaces; counts in META matching the sections; each project's votes matching VOTES;
/// every vote a ','-list of known project ids within min_length..max_length. <see cref="Parse"/> fails the
/// test with every rule broken.
/// </summary>
public static partial class PabulibSpec
{
    public static readonly string[] ObligatoryMeta =
        ["description", "country", "unit", "instance", "num_projects", "num_votes", "budget", "vote_type", "rule", "date_begin", "date_end"];

    private static readonly string[] VoteTypes = ["approval", "ordinal", "cumulative", "choose-1"];

    public sealed record File(IReadOnlyList<(string Key, string Value)> Meta, IReadOnlyList<IReadOnlyDictionary<string, string>> Projects,
        IReadOnlyList<IReadOnlyDictionary<string, string>> Votes)
    {
        public string this[string key] => Meta.Single(m => m.Key == key).Value;
    }

    public static File Parse(string text)
    {
        var errors = new List<string>();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var meta = new List<(string Key, string Value)>();
        var projects = new List<IReadOnlyDictionary<string, string>>();
        var votes = new List<IReadOnlyDictionary<string, string>>();
        var sections = new List<string>();
        string[]? header = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var cells = Split(lines[i], i + 1, errors);
            if (cells.Count == 1 && cells[0] is "META" or "PROJECTS" or "VOTES")
            {
                sections.Add(cells[0]);
                if (i + 1 >= lines.Count)
                {
                    errors.Add($"{cells[0]} has no header line.");
                    break;
                }

                header = [.. Split(lines[++i], i + 1, errors)];
                var expected = cells[0] switch { "META" => "key", "PROJECTS" => "project_id", _ => "voter_id" };
                if (header[0] != expected || (cells[0] == "META" && (header.Length != 2 || header[1] != "value")))
                {
                    errors.Add($"line {i + 1}: the {cells[0]} header must start with '{expected}' (it is '{string.Join(';', header)}').");
                }

                if (header.Distinct().Count() != header.Length)
                {
                    errors.Add($"line {i + 1}: duplicated column names.");
                }

                continue;
            }

            foreach (var cell in cells.Where(c => c != c.Trim()))
            {
                errors.Add($"line {i + 1}: a cell has surrounding spaces: '{cell}'.");
            }

            switch (sections.LastOrDefault())
            {
                case "META":
                    if (cells.Count != 2)
                    {
                        errors.Add($"line {i + 1}: a META row has {cells.Count} fields, not 2 (an unquoted ';'?).");
                    }

                    if (meta.Any(m => m.Key == cells[0]))
                    {
                        errors.Add($"line {i + 1}: META key '{cells[0]}' twice.");
                    }

                    meta.Add((cells[0], cells.Count > 1 ? cells[1] : ""));
                    break;
                case "PROJECTS" or "VOTES":
                    if (cells.Count != header!.Length)
                    {
                        errors.Add($"line {i + 1}: {cells.Count} fields under a header of {header.Length} (an unquoted ';'?).");
                    }

                    (sections[^1] == "PROJECTS" ? projects : votes).Add(header.Zip(cells).ToDictionary(p => p.First, p => p.Second));
                    break;
                default:
                    errors.Add($"line {i + 1}: a row before any section.");
                    break;
            }
        }

        if (!sections.SequenceEqual(["META", "PROJECTS", "VOTES"]))
        {
            errors.Add($"sections must be META, PROJECTS, VOTES once each, in that order (they are {string.Join(", ", sections)}).");
        }

        // META: the obligatory keys, non-empty, first and in the format's order.
        var keys = meta.Select(m => m.Key).ToList();
        foreach (var key in ObligatoryMeta.Where(k => !keys.Contains(k)))
        {
            errors.Add($"META lacks the obligatory key '{key}'.");
        }

        if (!keys.Take(ObligatoryMeta.Length).SequenceEqual(ObligatoryMeta))
        {
            errors.Add($"META's first keys must be {string.Join(';', ObligatoryMeta)} (they are {string.Join(';', keys.Take(ObligatoryMeta.Length))}).");
        }

        foreach (var (key, value) in meta.Where(m => m.Value.Length == 0))
        {
            errors.Add($"META '{key}' is empty.");
        }

        string? Meta(string key) => meta.FirstOrDefault(m => m.Key == key).Value;
        int? Integer(string key) => int.TryParse(Meta(key), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        foreach (var key in new[] { "num_projects", "num_votes", "min_length", "max_length" }.Where(k => Meta(k) is not null && Integer(k) is null))
        {
            errors.Add($"META '{key}' is not a whole number: '{Meta(key)}'.");
        }

        if (!double.TryParse(Meta("budget"), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            errors.Add($"META 'budget' is not a number: '{Meta("budget")}'.");
        }

        if (!VoteTypes.Contains(Meta("vote_type")))
        {
            errors.Add($"META 'vote_type' '{Meta("vote_type")}' is not one of {string.Join(", ", VoteTypes)}.");
        }

        foreach (var key in new[] { "date_begin", "date_end" }.Where(k => Meta(k) is { } d && !DateFormat().IsMatch(d)))
        {
            errors.Add($"META '{key}' '{Meta(key)}' is not DD.MM.YYYY or YYYY.");
        }

        // Counts: META against the sections, each project's votes against VOTES.
        if (Integer("num_projects") is { } numProjects && numProjects != projects.Count)
        {
            errors.Add($"num_projects is {numProjects}, PROJECTS has {projects.Count}.");
        }

        if (Integer("num_votes") is { } numVotes && numVotes != votes.Count)
        {
            errors.Add($"num_votes is {numVotes}, VOTES has {votes.Count}.");
        }

        var ids = projects.Select(p => p["project_id"]).ToList();
        if (ids.Distinct().Count() != ids.Count)
        {
            errors.Add("a project_id appears twice.");
        }

        if (votes.Select(v => v["voter_id"]).Distinct().Count() != votes.Count)
        {
            errors.Add("a voter_id appears twice.");
        }

        var counted = new Dictionary<string, int>();
        foreach (var vote in votes)
        {
            var chosen = vote.TryGetValue("vote", out var list) && list.Length > 0 ? list.Split(',') : [];
            foreach (var id in chosen)
            {
                counted[id] = counted.GetValueOrDefault(id) + 1;
                if (!ids.Contains(id))
                {
                    errors.Add($"voter {vote["voter_id"]} votes for unknown project '{id}'.");
                }
            }

            if (chosen.Distinct().Count() != chosen.Length)
            {
                errors.Add($"voter {vote["voter_id"]} names a project twice.");
            }

            if ((Integer("min_length") is { } min && chosen.Length < min) || (Integer("max_length") is { } max && chosen.Length > max))
            {
                errors.Add($"voter {vote["voter_id"]} has {chosen.Length} projects, outside min_length..max_length.");
            }
        }

        foreach (var project in projects)
        {
            if (!double.TryParse(project.GetValueOrDefault("cost"), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                errors.Add($"project {project["project_id"]}: cost '{project.GetValueOrDefault("cost")}' is not a number.");
            }

            if (project.TryGetValue("votes", out var v) && v != counted.GetValueOrDefault(project["project_id"]).ToString(CultureInfo.InvariantCulture))
            {
                errors.Add($"project {project["project_id"]}: votes {v}, VOTES gives it {counted.GetValueOrDefault(project["project_id"])}.");
            }

            if (project.TryGetValue("selected", out var s) && s is not ("0" or "1" or "2" or "3"))
            {
                errors.Add($"project {project["project_id"]}: selected '{s}' is not 0, 1, 2 or 3.");
            }
        }

        Assert.True(errors.Count == 0, "Not a valid PABULIB file:\n" + string.Join('\n', errors) + "\n\n" + text);
        return new File(meta, projects, votes);
    }

    /// <summary>One line's ';'-separated fields; a field starting with '"' runs to the next lone '"' ('""' is a quote).</summary>
    private static List<string> Split(string line, int number, List<string> errors)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        errors.Add($"line {number}: a quoted field does not end.");
                        break;
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            cell.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    cell.Append(line[i++]);
                }

                if (i < line.Length && line[i] != ';')
                {
                    errors.Add($"line {number}: text after a quoted field's closing quote.");
                }
            }
            else
            {
                while (i < line.Length && line[i] != ';')
                {
                    if (line[i] == '"')
                    {
                        errors.Add($"line {number}: a '\"' inside an unquoted field.");
                    }

                    cell.Append(line[i++]);
                }
            }

            cells.Add(cell.ToString());
            cell.Clear();
            if (i >= line.Length)
            {
                return cells;
            }

            i++; // the ';'
        }
    }

    [GeneratedRegex(@"^(\d{2}\.\d{2}\.\d{4}|\d{4})$")]
    private static partial Regex DateFormat();
}
