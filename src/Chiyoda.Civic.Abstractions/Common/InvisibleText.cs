using System.Globalization;
using System.Text;

namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// Characters a reader cannot see in text people write for others (comments, reasons). Two kinds, treated apart:
/// <list type="bullet">
/// <item><b>Direction controls</b> (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069) change how the
/// visible words read: 「承認」 can show as 「認承」, a URL can show another address. They are refused with a message, never
/// removed quietly, because removing them changes what the writer meant to show.</item>
/// <item><b>Invisible format characters</b> (zero-width space U+200B, non-joiner U+200C, word joiner U+2060, BOM U+FEFF,
/// the direction marks U+200E/U+200F/U+061C, soft hyphen and every other format character) show nothing, so dropping them
/// changes nothing a reader sees; a text of only such characters becomes empty and is refused as empty. Two are kept
/// where they make a visible difference: U+200D (zero-width joiner) between two emoji, where it joins a family or a
/// profession into one picture (👩‍⚕️), and the tag characters U+E0020–U+E007F right after 🏴 (the flags of Scotland,
/// Wales and England). Anywhere else they only hide a gap.</item>
/// </list>
/// Line breaks are kept (CRLF and CR become LF; U+2028/U+2029 become LF too); other control characters are dropped.
/// </summary>
public static class InvisibleText
{
    private const int ZeroWidthJoiner = 0x200D;
    private const int BlackFlag = 0x1F3F4;

    /// <summary>Whether <paramref name="rune"/> changes the direction the text around it reads in (refused, not removed).</summary>
    public static bool IsDirectionControl(Rune rune) => rune.Value is >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069;

    /// <summary>The first direction control in <paramref name="text"/>, or null.</summary>
    public static Rune? FirstDirectionControl(string? text)
    {
        foreach (var rune in (text ?? "").EnumerateRunes())
        {
            if (IsDirectionControl(rune))
            {
                return rune;
            }
        }

        return null;
    }

    /// <summary>The code point as people look it up: <c>U+202E</c>.</summary>
    public static string Name(Rune rune) => $"U+{rune.Value:X4}";

    /// <summary>
    /// The text with line breaks as LF, control characters dropped and invisible format characters dropped (U+200D kept
    /// between emoji, tag characters kept in a flag after 🏴). Direction controls are left in place: refuse those first
    /// (<see cref="FirstDirectionControl"/>).
    /// </summary>
    public static string Clean(string? raw)
    {
        var text = (raw ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var runes = text.EnumerateRunes().ToArray();
        var builder = new StringBuilder(text.Length);
        Rune? previous = null;
        for (var i = 0; i < runes.Length; i++)
        {
            var rune = runes[i];
            var keep = rune.Value switch
            {
                '\n' => true,
                0x2028 or 0x2029 => true,
                ZeroWidthJoiner => previous is { } p && IsEmojiPart(p) && i + 1 < runes.Length && IsEmoji(runes[i + 1]),
                >= 0xE0020 and <= 0xE007F => previous is { } p && (p.Value == BlackFlag || p.Value is >= 0xE0020 and <= 0xE007F),
                _ when IsDirectionControl(rune) => true,
                _ => Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format),
            };
            if (!keep)
            {
                continue;
            }

            var kept = rune.Value is 0x2028 or 0x2029 ? new Rune('\n') : rune;
            builder.Append(kept.ToString());
            previous = kept;
        }

        return builder.ToString();
    }

    /// <summary>A pictograph a ZWJ sequence joins: the emoji blocks, and the symbols (♀ ♂ ⚕ ✈ …) that sequences end with.</summary>
    private static bool IsEmoji(Rune rune) => rune.Value is >= 0x1F000 and <= 0x1FAFF or >= 0x2300 and <= 0x23FF or >= 0x2600 and <= 0x27BF
        or >= 0x2B00 and <= 0x2BFF or 0x00A9 or 0x00AE or 0x203C or 0x2049 or 0x2122 or 0x2139 or >= 0x2194 and <= 0x21AA;

    /// <summary>What may stand before a ZWJ in an emoji sequence: an emoji, or the variation selector / skin tone that follows one.</summary>
    private static bool IsEmojiPart(Rune rune) => IsEmoji(rune) || rune.Value == 0xFE0F;
}
