namespace Chiyoda.Civic.Web.Components.Layout;

/// <summary>
/// The Digital Agency design tokens (wwwroot/css/design-tokens.css, vendored from npm @digital-go-jp/design-tokens)
/// that the MudBlazor theme needs as values: MudBlazor's palette takes colours, not CSS variables, so the staff
/// pages' theme repeats them here. <see cref="All"/> names each one's token; a test checks them against the file.
/// </summary>
public static class DesignTokens
{
    public const string Blue50 = "#e8f1fe";
    public const string Blue800 = "#0031d8";
    public const string Blue900 = "#0017c1";
    public const string Blue1000 = "#00118f";
    public const string White = "#ffffff";
    public const string Gray50 = "#f2f2f2";
    public const string Gray420 = "#949494";
    public const string Gray536 = "#767676";
    public const string Gray700 = "#4d4d4d";
    public const string Gray800 = "#333333";
    public const string Gray900 = "#1a1a1a";
    public const string Green800 = "#197a4b";
    public const string Red900 = "#ce0000";
    public const string Orange900 = "#ac3e00";
    public const string FontFamilySans = "Noto Sans JP";

    public static IReadOnlyList<(string Token, string Value)> All { get; } =
    [
        ("--color-primitive-blue-50", Blue50),
        ("--color-primitive-blue-800", Blue800),
        ("--color-primitive-blue-900", Blue900),
        ("--color-primitive-blue-1000", Blue1000),
        ("--color-neutral-white", White),
        ("--color-neutral-solid-gray-50", Gray50),
        ("--color-neutral-solid-gray-420", Gray420),
        ("--color-neutral-solid-gray-536", Gray536),
        ("--color-neutral-solid-gray-700", Gray700),
        ("--color-neutral-solid-gray-800", Gray800),
        ("--color-neutral-solid-gray-900", Gray900),
        ("--color-primitive-green-800", Green800),
        ("--color-primitive-red-900", Red900),
        ("--color-primitive-orange-900", Orange900),
    ];
}
