using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Tests.Comments;

/// <summary>
/// What a comment's text may hold: direction controls are refused (they make the words read otherwise than written),
/// invisible characters are dropped (they show nothing), and a zero-width joiner inside an emoji stays (it makes one picture).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class CommentTextRulesTests
{
    [Theory]
    [InlineData("\u202E逆さまの文", "U+202E")]
    [InlineData("abc\u202Dxyz", "U+202D")]
    [InlineData("\u202Aembedded\u202C", "U+202A")]
    [InlineData("a\u2066isolated\u2069", "U+2066")]
    [InlineData("\u2067rtl", "U+2067")]
    [InlineData("\u2068first strong", "U+2068")]
    [InlineData("pop\u2069", "U+2069")]
    public void Text_that_holds_a_direction_control_is_refused_naming_the_character(string raw, string name)
    {
        var (_, error) = CommentValidation.Text(raw);
        Assert.NotNull(error);
        Assert.Equal((CommentErrorCodes.DirectionControl, "text"), (error.Code, error.Field));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);

        var (_, reason) = CommentValidation.Reason(raw);
        Assert.Equal((CommentErrorCodes.DirectionControl, "reason"), (reason!.Code, reason.Field));
    }

    [Theory]
    [InlineData("\u200B")]
    [InlineData("\u200B\u200C\u200D\u2060\uFEFF")]
    [InlineData(" \u200B \u200E\u200F ")]
    [InlineData("\u00AD\u2061\u180E")]
    public void Text_of_only_invisible_characters_is_empty(string raw)
    {
        var (text, error) = CommentValidation.Text(raw);
        Assert.Equal("", text);
        Assert.Equal(CommentErrorCodes.Empty, error?.Code);
    }

    [Theory]
    [InlineData("駅に\u200B案内を", "駅に案内を")]
    [InlineData("\uFEFF賛成です", "賛成です")]
    [InlineData("spa\u200Cm and e\u2060ggs", "spam and eggs")]
    [InlineData("a\u200Db", "ab")]
    [InlineData("右\u200Fと左\u200E\u061C", "右と左")]
    [InlineData("改行\r\nも\rそのまま\u2028です", "改行\nも\nそのまま\nです")]
    [InlineData("タブ\tと\u0007ベル", "タブとベル")]
    public void Invisible_characters_are_dropped_and_line_breaks_kept(string raw, string expected)
    {
        var (text, error) = CommentValidation.Text(raw);
        Assert.Null(error);
        Assert.Equal(expected, text);
    }

    [Theory]
    // A family, a health worker (with the variation selector before the joiner's partner), a rainbow flag, a runner.
    [InlineData("家族 👨\u200D👩\u200D👧 で参加")]
    [InlineData("👩\u200D⚕\uFE0F の方へ")]
    [InlineData("🏳\uFE0F\u200D🌈")]
    [InlineData("🏃\u200D♀\uFE0F 走る")]
    // The flag of Scotland: 🏴 and tag characters (U+E0067 …) ending with the cancel tag U+E007F.
    [InlineData("🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F")]
    // Japanese, with its variation selectors for names (葛󠄀) and full-width spaces, unchanged.
    [InlineData("葛\U000E0100飾区の　お知らせ")]
    public void Emoji_sequences_and_visible_text_are_kept_as_written(string raw)
    {
        var (text, error) = CommentValidation.Text(raw);
        Assert.Null(error);
        Assert.Equal(raw, text);
    }

    [Fact]
    public void A_joiner_or_tag_outside_an_emoji_sequence_is_dropped()
    {
        Assert.Equal("👍だ", InvisibleText.Clean("👍\u200Dだ"));
        Assert.Equal("あ👍", InvisibleText.Clean("あ\u200D👍"));
        Assert.Equal("ab", InvisibleText.Clean("a\U000E0067b"));
        Assert.Equal("👍", InvisibleText.Clean("👍\u200D"));
    }

    [Fact]
    public void A_reason_drops_invisible_characters_and_keeps_one_line()
    {
        var (reason, error) = CommentValidation.Reason("不適切\u200B\nな表現");
        Assert.Null(error);
        Assert.Equal("不適切 な表現", reason);
        Assert.Equal(CommentErrorCodes.ReasonRequired, CommentValidation.Reason("\u200B\uFEFF").Error?.Code);
    }

    [Theory]
    [InlineData("a < b")]
    [InlineData("a > b")]
    [InlineData("<3")]
    [InlineData("応援しています <3 <3")]
    [InlineData("1 < 2 > 0")]
    [InlineData("x<y")]
    [InlineData("x<y と y>z なら x<z")]
    [InlineData("a < b and c > d")]
    [InlineData("費用 < 効果 → 賛成")]
    [InlineData("<注意> 駅前は混みます")]
    [InlineData("矢印 -> と <- と <=> と >=")]
    [InlineData("<<重要>>")]
    [InlineData("< b >")]
    [InlineData("AT&T; R&D や &amp; もそのまま")]
    [InlineData("2 <= 3, 5 >= 4, 1<2")]
    public void Ordinary_text_with_angle_brackets_is_kept_exactly(string raw)
    {
        var (text, error) = CommentValidation.Text(raw);
        Assert.Null(error);
        Assert.Equal(raw, text);
    }

    [Theory]
    [InlineData("<b>太字</b>")]
    [InlineData("大事 <b>とても")]
    [InlineData("ここまで</p>")]
    [InlineData("<br/>改行")]
    [InlineData("<BR >")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<script")]
    [InlineData("前置き <SCRIPT src=x")]
    [InlineData("<a href=\"https://evil.example\">ここ</a>")]
    [InlineData("<a href=")]
    [InlineData("<!-- 隠し -->")]
    [InlineData("<!--")]
    [InlineData("<!DOCTYPE html>")]
    [InlineData("<![CDATA[x]]>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<img …>")]
    [InlineData("写真 <img")]
    [InlineData("<iframe src=//evil.example>")]
    [InlineData("<svg/onload=alert(1)>")]
    [InlineData("<div class=\"x\">")]
    [InlineData("<p>段落</p>")]
    public void Text_that_looks_like_a_tag_is_refused_with_the_existing_code(string raw)
    {
        Assert.True(CommentValidation.LooksLikeHtml(raw), raw);
        var (_, error) = CommentValidation.Text(raw);
        Assert.Equal((CommentErrorCodes.Html, "text"), (error?.Code, error?.Field));
    }

    [Theory]
    [InlineData("👍", 1)]
    [InlineData("𠮷野家", 3)]
    [InlineData("👨‍👩‍👧", 1)]
    [InlineData("が", 1)]
    [InlineData("が", 1)]
    [InlineData("abc", 3)]
    public void A_character_is_counted_as_a_person_sees_it(string text, int characters) =>
        Assert.Equal(characters, TextLength.Characters(text));

    [Fact]
    public void The_limit_counts_characters_so_emoji_and_rare_kanji_count_once()
    {
        // 500 emoji are 1,000 UTF-16 units: within the limit of 500 characters; one more is over it, and the message says 501.
        Assert.Null(CommentValidation.Text(string.Concat(Enumerable.Repeat("👍", CommentRules.MaxLength))).Error);
        var (_, over) = CommentValidation.Text(string.Concat(Enumerable.Repeat("𠮷", CommentRules.MaxLength + 1)));
        Assert.Equal(CommentErrorCodes.TooLong, over?.Code);
        Assert.Contains($"this one has {CommentRules.MaxLength + 1}", over!.Message, StringComparison.Ordinal);
    }
}
