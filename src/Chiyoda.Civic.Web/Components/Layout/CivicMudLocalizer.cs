using Chiyoda.Civic.Web.Hosting;
using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Chiyoda.Civic.Web.Components.Layout;

/// <summary>
/// MudBlazor's own words (pager, grid, dialogs) in Japanese on Japanese pages, from
/// Resources/Components/Layout/CivicMudLocalizer.resx. MudBlazor ships English only; on English pages this
/// answers "not found" so MudBlazor keeps its English, and a key missing here falls back the same way.
/// </summary>
public sealed partial class CivicMudLocalizer(IStringLocalizer<CivicMudLocalizer> japanese) : MudLocalizer
{
    public override LocalizedString this[string key] =>
        LocalizationExtensions.IsEnglish ? new LocalizedString(key, key, resourceNotFound: true) : japanese[key];

    // Formatted only when the text has numbered holes ("{2}件中 {0}〜{1}件"): a translation without any stays as it is
    // instead of making string.Format throw.
    public override LocalizedString this[string key, params object[] arguments]
    {
        get
        {
            if (LocalizationExtensions.IsEnglish)
            {
                return new LocalizedString(key, key, resourceNotFound: true);
            }

            var text = japanese[key];
            return text.ResourceNotFound || arguments.Length == 0 || !NumberedHole().IsMatch(text.Value)
                ? text
                : new LocalizedString(key, string.Format(System.Globalization.CultureInfo.CurrentCulture, text.Value, arguments));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\d+")]
    private static partial System.Text.RegularExpressions.Regex NumberedHole();
}
