using Chiyoda.Civic.Abstractions.Common;
using Microsoft.Extensions.Localization;

namespace Chiyoda.Civic.Web.Screening;

/// <summary>Marker for the texts shared by the staff screens (decisions, refusals) in Resources/Screening/ScreeningText.resx.</summary>
public sealed class ScreeningText
{
    /// <summary>
    /// A refusal or field error in the reader's language (the grain's English message when no translation exists),
    /// led by the field's name when it is about one field: "理由：入力してください。", never a bare "入力してください。".
    /// </summary>
    public static string Describe(IStringLocalizer<ScreeningText> text, ValidationError error, Func<string, string?>? fieldName = null)
    {
        var known = text[$"Error.{error.Code}"];
        var message = known.ResourceNotFound ? error.Message : known.Value;
        var field = fieldName?.Invoke(error.Field) ?? FieldName(text, error.Field);
        return field is null ? message : text["FieldError", field, message];
    }

    private static string? FieldName(IStringLocalizer<ScreeningText> text, string field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return null;
        }

        var name = text[$"Field.{field}"];
        if (!name.ResourceNotFound)
        {
            return name.Value;
        }

        // "scores.benefit" and the like: the family's name when the page gave no better one.
        var family = text[$"Field.{field.Split('.', '[')[0]}"];
        return family.ResourceNotFound ? null : family.Value;
    }

    public static string Describe(IStringLocalizer<ScreeningText> text, string code, string? fallback = null)
    {
        var known = text[$"Error.{code}"];
        return known.ResourceNotFound ? fallback ?? code : known.Value;
    }
}
