using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Web.Rounds;

/// <summary>What the round editor binds to: dates as the ward-local text of a datetime-local input.</summary>
public sealed class RoundForm
{
    /// <summary>
    /// The value format of a datetime-local input as Blazor exchanges it: Blazor adds the seconds
    /// ("2030-04-01T00:00:00") even when the browser shows only minutes.
    /// </summary>
    public const string LocalFormat = "s";

    public string RoundId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? NameEn { get; set; }
    public DateTime? CallOpens { get; set; }
    public DateTime? CallCloses { get; set; }
    public DateTime? VotingOpens { get; set; }
    public DateTime? VotingCloses { get; set; }
    public DateTime? ResultsDue { get; set; }
    public int MaxVotesPerVoter { get; set; } = RoundRules.WardDefaults.MaxVotesPerVoter;
    public int MinimumAge { get; set; } = RoundRules.WardDefaults.MinimumAge;
    public int MaxProposalsPerProposer { get; set; } = RoundRules.WardDefaults.MaxProposalsPerProposer;
    public int AdoptedCount { get; set; } = RoundRules.WardDefaults.AdoptedCount;

    public static RoundForm ForNewRound() => new();

    public static RoundForm From(RoundView round)
    {
        var d = round.Definition;
        return new RoundForm
        {
            RoundId = round.RoundId,
            Name = d.Name,
            NameEn = d.NameEn,
            CallOpens = Local(d.Schedule.CallOpens),
            CallCloses = Local(d.Schedule.CallCloses),
            VotingOpens = Local(d.Schedule.VotingOpens),
            VotingCloses = Local(d.Schedule.VotingCloses),
            ResultsDue = Local(d.Schedule.ResultsDue),
            MaxVotesPerVoter = d.Rules.MaxVotesPerVoter,
            MinimumAge = d.Rules.MinimumAge,
            MaxProposalsPerProposer = d.Rules.MaxProposalsPerProposer,
            AdoptedCount = d.Rules.AdoptedCount,
        };
    }

    public RoundDefinition ToDefinition(out IReadOnlyList<ValidationError> errors)
    {
        var found = new List<ValidationError>();
        DateTimeOffset Parse(DateTime? value, string field)
        {
            if (value is { } local)
            {
                local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
                return new DateTimeOffset(local, WardClock.Tokyo.GetUtcOffset(local));
            }

            found.Add(new($"schedule.{field}", RoundErrorCodes.Required, "Enter a date and time."));
            return default;
        }

        var schedule = new RoundSchedule(
            Parse(CallOpens, "callOpens"), Parse(CallCloses, "callCloses"), Parse(VotingOpens, "votingOpens"),
            Parse(VotingCloses, "votingCloses"), Parse(ResultsDue, "resultsDue"));
        errors = found;
        return new RoundDefinition(Name.Trim(), string.IsNullOrWhiteSpace(NameEn) ? null : NameEn.Trim(), schedule,
            new RoundRules(MaxVotesPerVoter, MinimumAge, MaxProposalsPerProposer, AdoptedCount));
    }

    /// <summary>
    /// Every problem with the form at once: the id (for a new round), the names, each missing date, the order of the
    /// dates that are given, and the rules. An order check that involves a missing date is left out (the missing date
    /// is reported instead), so the administrator fixes everything in one pass rather than wave after wave.
    /// </summary>
    public IReadOnlyList<ValidationError> Validate(bool isNew, out RoundDefinition definition)
    {
        definition = ToDefinition(out var parseErrors);
        var errors = new List<ValidationError>();
        if (isNew && !RoundValidation.IsValidRoundId(RoundId.Trim()))
        {
            errors.Add(string.IsNullOrWhiteSpace(RoundId)
                ? new("roundId", RoundErrorCodes.Required, "Enter the round's id.")
                : new("roundId", RoundErrorCodes.InvalidRoundId, "A round id is 1 to 63 lower-case letters, digits or hyphens, starting with a letter or digit."));
        }

        var missing = parseErrors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        string[] order = ["schedule.callOpens", "schedule.callCloses", "schedule.votingOpens", "schedule.votingCloses", "schedule.resultsDue"];
        foreach (var error in RoundValidation.Validate(definition))
        {
            var at = Array.IndexOf(order, error.Field);
            if (at > 0 && (missing.Contains(error.Field) || missing.Contains(order[at - 1])))
            {
                continue;
            }

            errors.Add(error);
        }

        // Missing dates in the order of the form, after the names and before the rules.
        errors.AddRange(parseErrors);
        return [.. errors.OrderBy(e => FormOrder(e.Field))];
    }

    private static int FormOrder(string field) => field switch
    {
        "roundId" => 0,
        "name" => 1,
        "nameEn" => 2,
        "schedule.callOpens" => 3,
        "schedule.callCloses" => 4,
        "schedule.votingOpens" => 5,
        "schedule.votingCloses" => 6,
        "schedule.resultsDue" => 7,
        _ => 8,
    };

    /// <summary>The ward's wall-clock time of an instant, as a datetime-local input shows it.</summary>
    private static DateTime Local(DateTimeOffset instant) => WardClock.ToWardTime(instant).DateTime;
}
