using System.Globalization;

namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// The one way an instant is written for people, in ward time, on pages and in emails alike: 「2025年3月1日(土) 9:00」 /
/// "Sat 1 Mar 2025, 09:00". The end of a period (a vote's close) at midnight is written as 24:00 of the day before
/// (「2025年3月1日(土) 24:00」), as Japanese notices do, so nobody wonders whether the 2nd still counts.
/// </summary>
public static class WardDateText
{
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja-JP");
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    public static string Instant(DateTimeOffset instant, bool english)
    {
        var local = WardClock.ToWardTime(instant);
        return english
            ? local.ToString("ddd d MMM yyyy, HH:mm", English)
            : local.ToString("yyyy年M月d日(ddd) H:mm", Japanese);
    }

    /// <summary>
    /// A calendar day in running text (notices, emails): 「2025年3月20日」 / "20 March 2025". The English month is spelt out with the
    /// invariant culture's names, never the machine's culture, and never ISO (which reads as a code, not a date, to a resident).
    /// </summary>
    public static string Day(DateOnly date, bool english) => english
        ? date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)
        : date.ToString("yyyy'年'M'月'd'日'", CultureInfo.InvariantCulture);

    /// <summary>The end of a period: midnight as 24:00 of the day before; any other time as <see cref="Instant"/>.</summary>
    public static string End(DateTimeOffset instant, bool english)
    {
        var local = WardClock.ToWardTime(instant);
        if (local.TimeOfDay != TimeSpan.Zero)
        {
            return Instant(instant, english);
        }

        var day = local.AddDays(-1);
        return english
            ? day.ToString("ddd d MMM yyyy", English) + ", 24:00"
            : day.ToString("yyyy年M月d日(ddd)", Japanese) + " 24:00";
    }
}
