using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Web.Components.Shared;

/// <summary>Instants shown as the ward's local time, in the reader's language.</summary>
public static class WardTime
{
    /// <summary>
    /// An end of a period: midnight is written as 24:00 of the day before (「1月10日(日) 24:00」), as Japanese
    /// notices do, so nobody wonders whether the 11th still counts. Any other time reads as <see cref="Format"/>.
    /// </summary>
    public static string FormatEnd(DateTimeOffset instant)
    {
        var local = WardClock.ToWardTime(instant);
        if (local.TimeOfDay != TimeSpan.Zero)
        {
            return Format(instant);
        }

        var day = local.AddDays(-1);
        return CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja"
            ? day.ToString("yyyy年M月d日(ddd)", CultureInfo.GetCultureInfo("ja-JP")) + " 24:00"
            : day.ToString("ddd d MMM yyyy", CultureInfo.GetCultureInfo("en-GB")) + ", 24:00";
    }

    public static string Format(DateTimeOffset instant)
    {
        var local = WardClock.ToWardTime(instant);
        return CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja"
            ? local.ToString("yyyy年M月d日(ddd) H:mm", CultureInfo.GetCultureInfo("ja-JP"))
            : local.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.GetCultureInfo("en-GB"));
    }
}
