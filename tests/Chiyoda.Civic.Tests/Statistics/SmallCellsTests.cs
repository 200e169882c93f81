using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Statistics;

/// <summary>
/// <see cref="SmallCells"/>: a hidden cell must never come back by subtraction from the row's total and the published
/// cells, zeros included (the testers' case: <c>[5, 0]</c> published as <c>[null, 0]</c> beside a total of 5).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class SmallCellsTests
{
    [Fact]
    public void A_zero_beside_a_lone_hidden_cell_is_hidden_with_it()
    {
        Assert.Equal([null, null], SmallCells.Suppress([5, 0]));
        Assert.Equal([null, null, 0], SmallCells.Suppress([0, 3, 0]));
        Assert.Equal([null, 20, null], SmallCells.Suppress([7, 20, 0]));
        // The smallest other cell goes with it, a zero as much as a 12.
        Assert.Equal([12, null, 15, null, 20], SmallCells.Suppress([12, 3, 15, 0, 20]));
        Assert.Equal([null, null, 30], SmallCells.Suppress([2, 9, 30]));
        Assert.Equal([10, 11, 0], SmallCells.Suppress([10, 11, 0]));
        Assert.Equal([0, 0, 0], SmallCells.Suppress([0, 0, 0]));
    }

    /// <summary>
    /// For random rows (zeros and small counts frequent): every cell of 1..9 is hidden, every published cell is what it was,
    /// and no hidden cell is fixed by the total and the published cells: with the hidden sum S = total − published, a hidden
    /// cell can be anything from 0 to S unless it is the only hidden one (or S is 0), so there must be two or more, and S above 0.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void No_suppressed_cell_of_a_random_row_is_derivable_from_its_total_and_the_published_cells(int seed)
    {
        var random = new Random(seed);
        for (var run = 0; run < 5_000; run++)
        {
            var counts = Enumerable.Range(0, random.Next(2, 9)).Select(_ => random.Next(4) switch
            {
                0 => 0,
                1 => random.Next(1, SmallCells.Minimum),
                2 => random.Next(SmallCells.Minimum, 15),
                _ => random.Next(0, 200),
            }).ToArray();
            var published = SmallCells.Suppress(counts);
            var row = string.Join(",", counts);

            Assert.Equal(counts.Length, published.Count);
            for (var i = 0; i < counts.Length; i++)
            {
                if (counts[i] is > 0 and < SmallCells.Minimum)
                {
                    Assert.True(published[i] is null, $"[{row}]: cell {i} ({counts[i]}) is under {SmallCells.Minimum} and must be hidden");
                }
                else if (published[i] is { } shown)
                {
                    Assert.Equal(counts[i], shown);
                }
            }

            var hidden = Enumerable.Range(0, counts.Length).Where(i => published[i] is null).ToList();
            if (hidden.Count == 0)
            {
                continue;
            }

            var sum = counts.Sum() - published.Sum(p => p ?? 0);
            foreach (var i in hidden)
            {
                // What a reader can say of cell i: at least S minus what the other hidden cells could hold (unbounded), at most S.
                var lowest = hidden.Count == 1 ? sum : 0;
                var highest = sum;
                Assert.True(lowest < highest, $"[{row}] published as [{string.Join(",", published.Select(p => p?.ToString() ?? "-"))}]: cell {i} is {counts[i]} by subtraction");
            }
        }
    }
}
