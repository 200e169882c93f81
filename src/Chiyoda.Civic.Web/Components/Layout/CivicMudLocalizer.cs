using Chiyoda.Civic.Web.Hosting;
using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Chiyoda.Civic.Web.Components.Layout;

/// <summary>
/// MudBlazor's own words (pager, grid, dialogs) in Japanese on Japanese pages, from
/// Resources/Components/Layout/CivicMudLocalizer.resx. MudBlazor ships English only; on English pages this
/// answers "not found" so MudBlazor keeps its English, and a key missing here falls back the same way.
/// </summary>
public sealed class CivicMudLocalizer(IStringLocalizer<CivicMudLocalizer> japanese) : MudLocalizer
{
    public override LocalizedString this[string key] =>
        LocalizationExtensions.IsEnglish ? new LocalizedString(key, key, resourceNotFound: true) : japanese[key];

    // MudBlazor's own formats use named holes ("{first_item}") that it fills itself, often with no arguments:
    // string.Format would throw on them, so the text is formatted only when there is something to put in.
    public override LocalizedString this[string key, params object[] arguments] =>
        LocalizationExtensions.IsEnglish ? new LocalizedString(key, key, resourceNotFound: true)
        : arguments.Length == 0 ? japanese[key]
        : japanese[key, arguments];
}
