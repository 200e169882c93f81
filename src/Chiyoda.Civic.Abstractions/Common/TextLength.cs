using System.Globalization;

namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// The length of a text as a person counts it: characters as seen (grapheme clusters), not UTF-16 code units. An emoji
/// such as 👍 or a kanji outside the basic plane (𠮷) is one character, as the count under the box says while one types
/// (site.js counts with <c>Intl.Segmenter</c>, the same rule).
/// </summary>
public static class TextLength
{
    public static int Characters(string? text) => string.IsNullOrEmpty(text) ? 0 : new StringInfo(text).LengthInTextElements;
}
