using Chiyoda.Civic.Grains.Register;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Kiosk;

/// <summary>How a name typed at the desk (kiosk, paper keying) is compared with the register's katakana.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class RegisterKanaTests
{
    [Theory]
    [InlineData("デモ トウヒョウシャ12")]
    [InlineData("デモトウヒョウシャ12")]
    [InlineData("でも とうひょうしゃ12")]
    [InlineData("ﾃﾞﾓ ﾄｳﾋｮｳｼｬ12")]
    [InlineData("デモ　トウヒョウシャ１２")]
    [InlineData("でも　トウひょうシャ１２")]
    public void A_name_typed_in_hiragana_half_width_or_without_spaces_matches_the_registers_katakana(string typed)
    {
        Assert.Equal(RegisterText.NormalizeKana("デモ トウヒョウシャ12"), RegisterText.NormalizeKana(typed));
    }

    [Fact]
    public void Different_names_stay_different()
    {
        Assert.NotEqual(RegisterText.NormalizeKana("デモ トウヒョウシャ12"), RegisterText.NormalizeKana("デモ トウヒョウシャ13"));
        Assert.NotEqual(RegisterText.NormalizeKana("サトウ"), RegisterText.NormalizeKana("サドウ"));
    }
}
