using System.Text.Encodings.Web;
using System.Text.Unicode;
using Chiyoda.Civic.Web.Components;
using Chiyoda.Civic.Web.Security;
using MudBlazor.Services;

namespace Chiyoda.Civic.Web.Hosting;

public static class UserInterfaceExtensions
{
    /// <summary>
    /// Public pages render on the server as plain HTML (no live connection per reader, work without
    /// script); staff editors opt in to interactive rendering page by page.
    /// </summary>
    public static WebApplicationBuilder AddCivicUserInterface(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents()
            .AddInteractiveServerComponents(options => options.DetailedErrors = builder.Environment.IsDevelopment());
        builder.Services.AddMudServices();
        builder.Services.AddTransient<MudBlazor.MudLocalizer, Components.Layout.CivicMudLocalizer>();
        Screening.StaffDirectory.AddTo(builder.Services);
        builder.Services.AddAntiforgery(options => options.Cookie = new AlwaysSecureCookieBuilder
        {
            Name = "__Host-civic-af",
            SameSite = SameSiteMode.Strict,
            HttpOnly = true,
            Path = "/",
            IsEssential = true,
        });
        // Japanese text goes out as UTF-8, not as numeric character references (a third of the size).
        builder.Services.AddWebEncoders(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        return builder;
    }

    public static WebApplication MapCivicUserInterface(this WebApplication app)
    {
        // Blazor would add a second Content-Security-Policy header (frame-ancestors 'self') to every interactive page; one
        // policy is sent instead, the site's own (Hosting/SecurityExtensions.cs), whose frame-ancestors 'none' is stricter.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
