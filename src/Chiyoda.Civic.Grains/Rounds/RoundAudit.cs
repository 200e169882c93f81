using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Grains.Rounds;

/// <summary>How a round's definition reads in the audit log: only the fields that changed, before and after.</summary>
public static class RoundAudit
{
    public static (string? Before, string After) Difference(RoundDefinition? before, RoundDefinition after)
    {
        var a = Fields(after);
        if (before is null)
        {
            return (null, string.Join("; ", a.Select(f => $"{f.Key}={f.Value}")));
        }

        var b = Fields(before);
        var changed = a.Keys.Where(k => b[k] != a[k]).ToList();
        return (string.Join("; ", changed.Select(k => $"{k}={b[k]}")), string.Join("; ", changed.Select(k => $"{k}={a[k]}")));
    }

    private static Dictionary<string, string> Fields(RoundDefinition d) => new()
    {
        ["votingOpens"] = Instant(d.Schedule.VotingOpens),
        ["votingCloses"] = Instant(d.Schedule.VotingCloses),
        ["resultsDue"] = Instant(d.Schedule.ResultsDue),
        ["callOpens"] = Instant(d.Schedule.CallOpens),
        ["callCloses"] = Instant(d.Schedule.CallCloses),
        ["rules"] = $"votes {d.Rules.MaxVotesPerVoter}, age {d.Rules.MinimumAge}, proposals {d.Rules.MaxProposalsPerProposer}, adopted {d.Rules.AdoptedCount}",
        ["name"] = d.Name,
        ["nameEn"] = d.NameEn ?? "",
    };

    private static string Instant(DateTimeOffset instant) =>
        WardClock.ToWardTime(instant).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
}
