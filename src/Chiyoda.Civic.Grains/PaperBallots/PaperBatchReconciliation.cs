using Chiyoda.Civic.Abstractions.PaperBallots;

namespace Chiyoda.Civic.Grains.PaperBallots;

/// <summary>
/// A batch's numbers (box count against lines keyed and what became of them), before and after its commit. Plain rules:
/// the grain hands in what it stores, unit tests what they like. Whether they add up is <see cref="PaperReconciliation.AddsUp"/>.
/// </summary>
public static class PaperBatchReconciliation
{
    /// <summary>Before any line is committed: one keying's own checks; with two, the agreed lines and each resolved
    /// disagreement's chosen line (a resolution without a line is no ballot), an unresolved one pending.</summary>
    public static PaperReconciliation BeforeCommit(int ballotsInBox, IReadOnlyList<PaperKeyingSummary> keyings, IReadOnlyDictionary<string, int> agreedStatuses,
        IReadOnlyList<PaperDisagreement> disagreements, IReadOnlyList<PaperResolution> resolutions)
    {
        if (keyings.Count < 2)
        {
            return keyings.FirstOrDefault() is { } only
                ? PaperReconciliation.From(ballotsInBox, Expand(only.Statuses))
                : PaperReconciliation.Empty with { BallotsInBox = ballotsInBox };
        }

        var statuses = Expand(agreedStatuses).ToList();
        foreach (var disagreement in disagreements)
        {
            var resolution = resolutions.FirstOrDefault(r => r.Key == disagreement.Key);
            if (resolution is null)
            {
                statuses.Add("unresolved");
            }
            else if (resolution.Line is { } line)
            {
                statuses.Add(line.Status);
            }
        }

        return PaperReconciliation.From(ballotsInBox, statuses);
    }

    /// <summary>Once the commit has begun: the outcomes applied so far of the committed lines; the rest pending.</summary>
    public static PaperReconciliation AfterCommit(int ballotsInBox, IReadOnlyDictionary<string, int> appliedOutcomes, int committedLines)
    {
        var decided = appliedOutcomes.Values.Sum();
        return PaperReconciliation.From(ballotsInBox, Expand(appliedOutcomes)) with { Keyed = committedLines, Pending = committedLines - decided };
    }

    private static IEnumerable<string> Expand(IReadOnlyDictionary<string, int> counts) => counts.SelectMany(o => Enumerable.Repeat(o.Key, o.Value));
}
