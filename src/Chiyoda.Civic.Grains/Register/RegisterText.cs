using System.Text;

namespace Chiyoda.Civic.Grains.Register;

public static class RegisterText
{
    /// <summary>Kana as clerks type it and as the register holds it compare equal: width-folded (NFKC), no spaces.</summary>
    public static string NormalizeKana(string kana) =>
        string.Concat(kana.Normalize(NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c)));
}
