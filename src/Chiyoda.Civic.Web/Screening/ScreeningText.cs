using Chiyoda.Civic.Abstractions.Common;
using Microsoft.Extensions.Localization;

namespace Chiyoda.Civic.Web.Screening;

/// <summary>Marker for the texts shared by the staff screens (decisions, refusals) in Resources/Screening/ScreeningText.resx.</summary>
public sealed class ScreeningText
{
    /// <summary>A refusal or field error in the reader's language; the grain's English message when no translation exists.</summary>
    public static string Describe(IStringLocalizer<ScreeningText> text, ValidationError error)
    {
        var known = text[$"Error.{error.Code}"];
        return known.ResourceNotFound ? error.Message : known.Value;
    }

    public static string Describe(IStringLocalizer<ScreeningText> text, string code, string? fallback = null)
    {
        var known = text[$"Error.{code}"];
        return known.ResourceNotFound ? fallback ?? code : known.Value;
    }
}
