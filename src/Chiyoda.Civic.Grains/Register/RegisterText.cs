using System.Text;

namespace Chiyoda.Civic.Grains.Register;

public static class RegisterText
{
    /// <summary>
    /// Kana as clerks type it and as the register holds it compare equal: width-folded (NFKC), no spaces, and hiragana read
    /// as katakana (a clerk or a person at the desk types 「でも とうひょうしゃ」 for the register's 「デモ トウヒョウシャ」).
    /// The register's own names are katakana, so their index keys are unchanged by the last rule.
    /// </summary>
    public static string NormalizeKana(string kana) =>
        string.Concat(kana.Normalize(NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c)).Select(ToKatakana));

    /// <summary>ぁ (U+3041) to ゖ (U+3096), and ゝ ゞ, are their katakana 0x60 above.</summary>
    private static char ToKatakana(char c) => c is (>= '\u3041' and <= '\u3096') or '\u309D' or '\u309E' ? (char)(c + 0x60) : c;
}
