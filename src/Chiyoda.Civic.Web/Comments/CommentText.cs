using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Web.Hosting;

namespace Chiyoda.Civic.Web.Comments;

/// <summary>Marker for the comment pages' shared texts (labels, every refusal by its code) in Resources/Comments/CommentText.resx.</summary>
public sealed class CommentText
{
    /// <summary>An instant in ward time: 2024年8月5日 14:03 / 5 Aug 2024 14:03.</summary>
    public static string Time(DateTimeOffset instant)
    {
        var ward = WardClock.ToWardTime(instant);
        return LocalizationExtensions.IsEnglish
            ? ward.ToString("d MMM yyyy HH:mm", CultureInfo.GetCultureInfo("en-GB"))
            : ward.ToString("yyyy年M月d日 HH:mm", CultureInfo.GetCultureInfo("ja-JP"));
    }
}
