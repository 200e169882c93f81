using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace Chiyoda.Civic.Web.Hosting;

public static class LocalizationExtensions
{
    public const string CultureCookieName = "__Host-civic-culture";
    public static readonly string[] SupportedCultures = ["ja", "en"];

    /// <summary>Japanese first; English on request. The choice is kept in a cookie so it persists.</summary>
    public static WebApplicationBuilder AddCivicLocalization(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            options.SetDefaultCulture("ja")
                .AddSupportedCultures(SupportedCultures)
                .AddSupportedUICultures(SupportedCultures);
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            // The resident's explicit choice wins over the browser's language; the query string is
            // left out so a shared link cannot switch someone's language behind their back.
            options.RequestCultureProviders =
            [
                new CookieRequestCultureProvider { CookieName = CultureCookieName },
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return builder;
    }

    public static WebApplication UseCivicLocalization(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }

    public static bool IsSupported(string culture) => SupportedCultures.Contains(culture, StringComparer.Ordinal);

    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
}
