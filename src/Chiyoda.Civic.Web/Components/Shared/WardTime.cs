using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Web.Components.Shared;

/// <summary>Instants shown as the ward's local time, in the reader's language (the words of <see cref="WardDateText"/>, which emails use too).</summary>
public static class WardTime
{
    private static bool English => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName != "ja";

    /// <summary>
    /// An end of a period: midnight is written as 24:00 of the day before (「1月10日(日) 24:00」), as Japanese
    /// notices do, so nobody wonders whether the 11th still counts. Any other time reads as <see cref="Format"/>.
    /// </summary>
    public static string FormatEnd(DateTimeOffset instant) => WardDateText.End(instant, English) + Zone;

    public static string Format(DateTimeOffset instant) => WardDateText.Instant(instant, English) + Zone;

    /// <summary>
    /// In English the time says whose clock it is (" JST"): a reader in English may well be abroad or on a device set to
    /// another zone. In Japanese a time of the ward needs no such mark, as on the ward's own notices.
    /// </summary>
    private static string Zone => English ? " JST" : "";
}
