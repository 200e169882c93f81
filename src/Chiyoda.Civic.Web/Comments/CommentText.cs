using Chiyoda.Civic.Web.Components.Shared;

namespace Chiyoda.Civic.Web.Comments;

/// <summary>Marker for the comment pages' shared texts (labels, every refusal by its code) in Resources/Comments/CommentText.resx.</summary>
public sealed class CommentText
{
    /// <summary>An instant in ward time, in the site's one format (<see cref="WardTime.Format"/>): 2024年8月5日(月) 14:03 / Mon 5 Aug 2024, 14:03.</summary>
    public static string Time(DateTimeOffset instant) => WardTime.Format(instant);
}
