namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// Statistics about people never show a group small enough to point at someone: a cell of 1..9 is hidden (null), and when
/// only one cell of a breakdown would be hidden the next smallest is hidden too, so it cannot be worked out from the total
/// (the rule the results' age bands follow).
/// </summary>
public static class SmallCells
{
    public const int Minimum = 10;

    public static IReadOnlyList<int?> Suppress(IReadOnlyList<int> counts)
    {
        var hidden = counts.Select(c => c is > 0 and < Minimum).ToArray();
        if (hidden.Count(h => h) == 1 && counts.Count > 1)
        {
            // A zero is a candidate like any other cell: published beside one hidden cell, a 0 leaves the hidden one equal
            // to the total minus the others ([5, 0] with a total of 5 gave the 5 back). Hidden, it may be 0 or anything up
            // to the hidden sum, so neither hidden cell can be told apart.
            var candidates = Enumerable.Range(0, counts.Count).Where(i => !hidden[i]).ToList();
            hidden[candidates.MinBy(i => counts[i])] = true;
        }

        return [.. counts.Select((c, i) => hidden[i] ? (int?)null : c)];
    }

    /// <summary>A count on its own: hidden when it is 1..9.</summary>
    public static int? One(int count) => count is > 0 and < Minimum ? null : count;
}
