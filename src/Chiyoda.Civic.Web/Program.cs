using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Hosting;
using Chiyoda.Civic.Web.Kiosk;

namespace Chiyoda.Civic.Web;

public static class Program
{
    public static void Main(string[] args) => Build(args).Run();

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.AddCivicSite();
        builder.AddCivicOrleans();
        builder.AddCivicDataProtection();
        builder.AddCivicAuthentication();
        builder.AddCivicEmail();
        builder.AddCivicLocalization();
        builder.AddCivicApi();
        builder.AddCivicHttp();
        builder.AddCivicOperations();
        builder.AddCivicRequestLimits();
        builder.AddCivicApplicationServices();
        builder.AddCivicUserInterface();
        builder.AddCivicPublicCache();
        builder.AddCivicDemoRound();

        var app = builder.Build();

        app.UseCivicHead();
        app.UseCivicHostFiltering();
        app.UseCivicSiloOnly();
        app.UseCivicSecurityHeaders();
        app.UseCivicErrorHandling();
        app.UseCivicLocalization();
        app.UseCivicPublicCache();
        app.UseCivicCompression();
        app.UseCivicRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseCivicRequestLimits();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapCivicHealth();
        app.MapCivicAccountEndpoints();
        app.MapCivicKioskEndpoints();
        app.MapCivicApi();
        app.MapCivicApiReference();
        app.MapCivicUserInterface();

        return app;
    }
}
