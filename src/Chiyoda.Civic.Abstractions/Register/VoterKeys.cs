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
    public static string Normalize(string? key) => (key ?? "").Normalize(NormalizationForm.FormKC).Trim().ToLowerInvariant();
}
