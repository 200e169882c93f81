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

    /// <summary>The ward's wall-clock time of an instant, as a datetime-local input shows it.</summary>
    private static DateTime Local(DateTimeOffset instant) => WardClock.ToWardTime(instant).DateTime;
}
