using MudBlazor;

namespace Chiyoda.Civic.Web.Components.Layout;

/// <summary>
/// Colours after the Digital Agency design system: dark blue on white, every text pair above the
/// WCAG AA contrast ratio; Japanese fonts first.
/// </summary>
public static class CivicTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0031D8",
            PrimaryContrastText = "#FFFFFF",
            Secondary = "#3F3F3F",
            AppbarBackground = "#0031D8",
            AppbarText = "#FFFFFF",
            TextPrimary = "#1A1A1A",
            TextSecondary = "#4D4D4D",
            Success = "#197A4B",
            Warning = "#8A5300",
            Error = "#C0282A",
            Info = "#0031D8",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", "sans-serif"],
            },
        },
    };
}
