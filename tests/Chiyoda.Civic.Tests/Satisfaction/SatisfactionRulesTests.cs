using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Satisfaction;

[Trait(Tier.Name, Tier.Unit)]
public sealed class SatisfactionRulesTests
{
    [Fact]
    public void Small_cells_are_hidden_and_a_lone_hidden_cell_takes_the_next_smallest_with_it()
    {
        Assert.Equal([null, null, 15, 0, 20], SmallCells.Suppress([12, 3, 15, 0, 20]));
        Assert.Equal([null, null, 30], SmallCells.Suppress([2, 9, 30]));
        Assert.Equal([10, 11, 0], SmallCells.Suppress([10, 11, 0]));
        Assert.Null(SmallCells.One(9));
        Assert.Equal(0, SmallCells.One(0));
        Assert.Equal(10, SmallCells.One(10));
    }

    [Fact]
    public void The_summary_gives_mean_and_share_satisfied_only_from_ten_answers()
    {
        var few = SatisfactionSummary.From(new SatisfactionTally([0, 0, 1, 3, 5], 9, 0, []));
        Assert.Equal(9, few.Count);
        Assert.Null(few.Mean);
        Assert.Null(few.SatisfiedShare);
        Assert.All(few.Distribution.Where((_, i) => i >= 2), d => Assert.Null(d));

        // 40 answers: 4×1, 0×2, 6×3, 10×4, 20×5 → mean (4 + 18 + 40 + 100) / 40 = 4.05; satisfied 30/40 = 75 %.
        var many = SatisfactionSummary.From(new SatisfactionTally([4, 0, 6, 10, 20], 25, 15, []));
        Assert.Equal(40, many.Count);
        Assert.Equal(4.05m, many.Mean);
        Assert.Equal(75.0m, many.SatisfiedShare);
        Assert.Equal([null, 0, null, 10, 20], many.Distribution);
        Assert.Equal(25, many.AfterVoting);
        Assert.Equal(15, many.Results);
    }

    [Fact]
    public void Ratings_and_comments_are_checked_and_comments_kept_on_one_line()
    {
        Assert.Empty(SatisfactionRules.Validate(1, null));
        Assert.Empty(SatisfactionRules.Validate(5, new string('a', 200)));
        Assert.Equal(SatisfactionErrorCodes.InvalidRating, Assert.Single(SatisfactionRules.Validate(0, null)).Code);
        Assert.Equal(SatisfactionErrorCodes.InvalidComment, Assert.Single(SatisfactionRules.Validate(3, new string('a', 201))).Code);
        Assert.Null(SatisfactionRules.CleanComment("  \n "));
        Assert.Equal("a b", SatisfactionRules.CleanComment(" a\nb "));
    }

    [Fact]
    public void The_path_editor_reads_one_status_a_line_and_writes_what_it_reads()
    {
        var text = ImplementationPath.WardDefaults.ToLines();
        var parsed = ImplementationPath.FromLines(text.Replace("\n", "\r\n") + "\n\n");
        Assert.Equal(ImplementationPath.WardDefaults.Statuses, parsed.Statuses);
        Assert.Empty(ImplementationPath.Validate(parsed));
        var broken = ImplementationPath.FromLines("adopted | 採用 | Adopted\nbad id | 名前");
        Assert.NotEmpty(ImplementationPath.Validate(broken));
    }
}
