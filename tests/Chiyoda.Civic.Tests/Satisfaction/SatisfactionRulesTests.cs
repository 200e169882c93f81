using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Satisfaction;

[Trait(Tier.Name, Tier.Unit)]
public sealed class SatisfactionRulesTests
{
    [Fact]
    public void Small_cells_are_hidden_and_a_lone_hidden_cell_takes_the_next_smallest_with_it_a_zero_too()
    {
        Assert.Equal([12, null, 15, null, 20], SmallCells.Suppress([12, 3, 15, 0, 20]));
        Assert.Equal([null, null, 30], SmallCells.Suppress([2, 9, 30]));
        Assert.Equal([10, 11, 0], SmallCells.Suppress([10, 11, 0]));
        Assert.Null(SmallCells.One(9));
        Assert.Equal(0, SmallCells.One(0));
        Assert.Equal(10, SmallCells.One(10));
    }

    [Fact]
    public void Nine_answers_one_controls_and_a_tenth_are_never_told_apart_in_any_published_figure()
    {
        // The testers' case: nine answers of 1 that one person controls, and one more. Whatever the tenth says (and whether it
        // came from a voter or not), the published summary is the same: nothing but "not published, fewer than 30 answers".
        var worlds = Enumerable.Range(1, 5).SelectMany(tenth => new[] { true, false }.Select(voter =>
        {
            int[] counts = [9, 0, 0, 0, 0], nonVoters = [0, 0, 0, 0, 0];
            (voter ? counts : nonVoters)[tenth - 1]++;
            return SatisfactionSummary.From(new SatisfactionTally(counts, 9, 0, [], nonVoters), SatisfactionRules.DefaultMinimumAnswers);
        })).ToList();
        Assert.All(worlds, w => Assert.Equal(SatisfactionSummary.NotPublished(30), w));
        Assert.All(worlds, w => Assert.False(w.Published || w.Count is not null || w.Distribution is not null || w.Mean is not null || w.SatisfiedShare is not null));

        // Up to 29 answers, however they split between voters and not: still nothing.
        Assert.False(SatisfactionSummary.From(new SatisfactionTally([0, 0, 0, 10, 9], 19, 0, [], [0, 0, 5, 5, 0]), 30).Published);
        // A configured minimum under 10 is raised to 10.
        Assert.Equal(10, new SatisfactionOptions { MinimumAnswers = 3 }.Threshold);
        Assert.Equal(30, new SatisfactionOptions().Threshold);
    }

    [Fact]
    public void From_thirty_answers_the_one_total_is_published_whole_voters_and_non_voters_merged()
    {
        // 20 voters' and 20 non-voters' answers: 4×1, 0×2, 6×3, 10×4, 20×5 merged → mean (4 + 18 + 40 + 100) / 40 = 4.05; satisfied 30/40 = 75 %.
        var many = SatisfactionSummary.From(new SatisfactionTally([4, 0, 6, 5, 5], 15, 5, [], [0, 0, 0, 5, 15]), 30);
        Assert.True(many.Published);
        Assert.Equal((int?)40, many.Count);
        Assert.Equal([4, 0, 6, 10, 20], many.Distribution!);
        Assert.Equal((decimal?)4.05m, many.Mean);
        Assert.Equal((decimal?)75.0m, many.SatisfiedShare);

        var exactly = SatisfactionSummary.From(new SatisfactionTally([29, 0, 0, 0, 0], 29, 0, [], [0, 0, 0, 0, 1]), 30);
        Assert.Equal((true, (int?)30, (decimal?)1.13m, (decimal?)3.3m), (exactly.Published, exactly.Count, exactly.Mean, exactly.SatisfiedShare));
    }

    [Theory]
    [InlineData("03-1234-5678")]
    [InlineData("電話 090 1234 5678 まで")]
    [InlineData("０９０－１２３４－５６７８")]
    [InlineData("+81 3 1234 5678")]
    [InlineData("(03)1234-5678")]
    [InlineData("taro.yamada@example.jp")]
    [InlineData("連絡は taro＠example．jp へ")]
    public void A_comment_with_a_phone_number_or_an_email_address_is_refused(string comment)
    {
        var error = Assert.Single(SatisfactionRules.Validate(4, comment));
        Assert.Equal((SatisfactionErrorCodes.ContactDetails, "comment"), (error.Code, error.Field));
        Assert.Contains("anonymous", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024年8月5日から9月20日まで投票できて便利でした")]
    [InlineData("2024-08-05 10時に投票しました。3票とも使いました")]
    [InlineData("紙の投票用紙 1234 番")]
    [InlineData("スマホで 5 分で終わりました @ 区役所")]
    public void An_ordinary_comment_is_taken(string comment) => Assert.Empty(SatisfactionRules.Validate(4, comment));

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
