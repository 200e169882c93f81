using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Grains.Comments;
using Chiyoda.Civic.Grains.Implementation;
using Chiyoda.Civic.Grains.Notifications;
using Chiyoda.Civic.Grains.Proposals;

namespace Chiyoda.Civic.Tests.Notifications;

/// <summary>The one way notices are written in both languages: Japanese in the Japanese places, English in the English ones.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class NoticeTextTests
{
    private static readonly DateTimeOffset At = new(2024, 8, 5, 9, 0, 0, TimeSpan.FromHours(9));

    [Fact]
    public void Each_pair_goes_to_its_language_trimmed()
    {
        var notice = NoticeText.Compose("n-1", At, "kind", "2024", new(" 件名 ", " Subject "), new("本文\n", "Body\n"), "/x");
        Assert.Equal(("件名", "Subject", "本文", "Body", "/x"), (notice.Title, notice.TitleEn, notice.Body, notice.BodyEn, notice.Link));
        Assert.Equal(("n-1", At, "kind", "2024", false), (notice.NoticeId, notice.At, notice.Kind, notice.RoundId, notice.Read));
    }

    [Fact]
    public void Comment_and_proposal_notices_keep_japanese_and_english_apart()
    {
        var comment = new Comment("c-0001", null, "sub", false, "意見", At, null, CommentStatus.Visible, null, null, [], false);
        var hidden = CommentNotices.Hidden("2024", "p-001", ("駅の案内", "Station signs"), comment, "個人情報を含むため", At);
        Assert.Equal(("あなたの意見を非表示にしました", "Your comment was hidden"), (hidden.Title, hidden.TitleEn));
        Assert.StartsWith("提案「駅の案内」", hidden.Body, StringComparison.Ordinal);
        Assert.StartsWith("Staff reviewed your comment on the proposal \"Station signs\"", hidden.BodyEn, StringComparison.Ordinal);

        var withdrawn = ProposalNotices.For("2024", "p-001", "駅の案内", 3, At, ProposalEventKind.Withdrawn, null, null, null);
        Assert.Equal(("「駅の案内」の状況", "提案を取り下げました。", "You withdrew your proposal."), (withdrawn.Title, withdrawn.Body, withdrawn.BodyEn));
    }

    /// <summary>
    /// A step's and a correction's dates read as a resident writes them: "20 March 2025" in English (not ISO, and with the invariant
    /// month names whatever the machine's culture), 2025年3月20日 in Japanese. Run under a culture with other month names and another
    /// calendar, so a format that leans on the current culture fails.
    /// </summary>
    [Fact]
    public void Implementation_step_and_correction_dates_read_as_words_in_english_and_as_japanese_dates_whatever_the_culture()
    {
        var before = (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture);
        try
        {
            foreach (var culture in new[] { "fr-FR", "th-TH", "ja-JP", "en-US" })
            {
                System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo(culture);
                System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo(culture);
                var step = new ImplementationStep(3, "budget-passed", new DateOnly(2025, 3, 20), "予算が成立しました。", "The budget passed.", "政策経営部 DX戦略課", At);
                var status = new ImplementationStatus("budget-passed", "予算成立", "Budget passed");
                var notice = ImplementationNotices.For("2024", "p-001", "デジタル書面送付サービス", "Digital document delivery service", step, status, At)!;
                Assert.Equal("What happened next: now \"Budget passed\" (20 March 2025). The budget passed.", notice.BodyEn);
                Assert.Equal("提案のその後: 「予算成立」になりました（2025年3月20日）。予算が成立しました。", notice.Body);

                var correction = ImplementationNotices.Correction("2024", "p-001", "デジタル書面送付サービス", "Digital document delivery service", step, status, "誤登録", At);
                Assert.Equal("Correction: the status step \"Budget passed\" of 20 March 2025 was withdrawn: 誤登録", correction.BodyEn);
                Assert.Equal("訂正: 2025年3月20日の段階「予算成立」は取り消されました。理由: 誤登録", correction.Body);
                Assert.DoesNotContain("2025-03-20", notice.BodyEn + correction.BodyEn, StringComparison.Ordinal);
            }
        }
        finally
        {
            (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture) = before;
        }
    }

    [Fact]
    public void Implementation_notices_keep_japanese_and_english_apart_and_trimmed()
    {
        var adopted = ImplementationNotices.For("2024", "p-001", "デジタル書面送付サービス", "Digital document delivery service",
            new ImplementationStep(0, ImplementationPath.Adopted, new DateOnly(2024, 11, 26), "", null, "", At),
            new ImplementationStatus(ImplementationPath.Adopted, "採用", "Adopted"), At)!;
        Assert.Equal(("「デジタル書面送付サービス」のその後", "What happened to \"Digital document delivery service\""), (adopted.Title, adopted.TitleEn));
        Assert.StartsWith("区民投票の結果、提案が採用されました。", adopted.Body, StringComparison.Ordinal);
        Assert.StartsWith("The resident vote adopted this proposal.", adopted.BodyEn, StringComparison.Ordinal);
        Assert.Equal(("implementation:2024:p-001:0", ImplementationNotices.Kind, "/rounds/2024/proposals/p-001#after"), (adopted.NoticeId, adopted.Kind, adopted.Link));

        // A step without a note, and a proposal without an English title: the texts end without a trailing space, and the
        // English subject names the Japanese title.
        var step = ImplementationNotices.For("2024", "p-002", "スクールカレンダー", null,
            new ImplementationStep(2, "in-progress", new DateOnly(2025, 4, 1), "", null, "教育委員会", At),
            new ImplementationStatus("in-progress", "実施中", "In progress"), At)!;
        Assert.Equal(("「スクールカレンダー」のその後", "What happened to the proposal (it has no English title; in Japanese: \"スクールカレンダー\")"),
            (step.Title, step.TitleEn));
        Assert.Equal(("提案のその後: 「実施中」になりました（2025年4月1日）。", "What happened next: now \"In progress\" (1 April 2025)."), (step.Body, step.BodyEn));

        // 採用 goes out once per proposal, on the first step only.
        Assert.Null(ImplementationNotices.For("2024", "p-001", "x", null,
            new ImplementationStep(3, ImplementationPath.Adopted, new DateOnly(2025, 1, 1), "", null, "", At),
            new ImplementationStatus(ImplementationPath.Adopted, "採用", "Adopted"), At));
    }
}
