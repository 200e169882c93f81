using MudBlazor;

namespace Chiyoda.Civic.Web.Components.Layout;

/// <summary>
/// The staff pages' MudBlazor theme from the same Digital Agency tokens as the resident pages' CSS (app.css), so
/// both read as one ward service: blue 800 on white, grey 536 input lines (4.5:1, above the 3:1 a control's
/// boundary needs), sentence-case buttons (Japanese has no capitals; English in capitals reads as shouting).
/// </summary>
public static class CivicTheme
{
    private static readonly string[] Fonts = [DesignTokens.FontFamilySans, "Hiragino Sans", "Yu Gothic", "Meiryo", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = DesignTokens.Blue800,
            PrimaryDarken = DesignTokens.Blue900,
            PrimaryLighten = DesignTokens.Blue50,
            PrimaryContrastText = DesignTokens.White,
            Secondary = DesignTokens.Gray800,
            AppbarBackground = DesignTokens.Blue1000,
            AppbarText = DesignTokens.White,
            Background = DesignTokens.White,
            Surface = DesignTokens.White,
            TextPrimary = DesignTokens.Gray900,
            TextSecondary = DesignTokens.Gray700,
            TextDisabled = DesignTokens.Gray420,
            LinesInputs = DesignTokens.Gray536,
            LinesDefault = DesignTokens.Gray536,
            TableLines = DesignTokens.Gray536,
            ActionDefault = DesignTokens.Gray800,
            Success = DesignTokens.Green800,
            Warning = DesignTokens.Orange900,
            Error = DesignTokens.Red900,
            Info = DesignTokens.Blue800,
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts },
            Button = new ButtonTypography { FontFamily = Fonts, TextTransform = "none", FontWeight = "700" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
