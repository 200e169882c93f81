using System.Text;

namespace Chiyoda.Civic.Abstractions.Register;

/// <summary>
/// One spelling of a voter key wherever it comes in: the register file, a clerk's keying or file, the facility desk and the
/// sign-in's claim. Full-width forms are read as their ASCII (NFKC), spaces around it dropped, and letters taken in lower
/// case, so a clerk who types 「D-0005」 or 「ｄ－０００５」 from a card finds d-0005. A register never holds two people whose
/// keys differ only in letter case (the ward's keys are numbers, or letters and numbers, with no such meaning).
/// </summary>
public static class VoterKeys
{
    public static string Normalize(string? key)
    {
        var text = (key ?? "").Normalize(NormalizationForm.FormKC).Trim().ToLowerInvariant();
        // The dashes a Japanese keyboard or a pasted document gives for "-" (NFKC leaves them as they are): the hyphens
        // U+2010/2011, figure and en/em dashes, the minus sign, and the katakana long-vowel mark an IME writes for "-".
        return text.IndexOfAny(Dashes) < 0 ? text : string.Concat(text.Select(c => Array.IndexOf(Dashes, c) >= 0 ? '-' : c));
    }

    private static readonly char[] Dashes = ['\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\u30FC'];
}
