using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Web.Hosting;

namespace Chiyoda.Civic.Web.Rounds;

/// <summary>Marker for the shared round texts (phase names, error messages) in Resources/Rounds/RoundText.resx.</summary>
public sealed class RoundText
{
    public static string NameOf(RoundDefinition definition) =>
        LocalizationExtensions.IsEnglish && !string.IsNullOrWhiteSpace(definition.NameEn) ? definition.NameEn : definition.Name;
}
