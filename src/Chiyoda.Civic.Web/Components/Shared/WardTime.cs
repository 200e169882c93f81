using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Web.Components.Shared;

/// <summary>Instants shown as the ward's local time, in the reader's language.</summary>
public static class WardTime
{
    public static string Format(DateTimeOffset instant)
    {
        var local = WardClock.ToWardTime(instant);
        return CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja"
            ? local.ToString("yyyy年M月d日(ddd) H:mm", CultureInfo.GetCultureInfo("ja-JP"))
            : local.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.GetCultureInfo("en-GB"));
    }
}
