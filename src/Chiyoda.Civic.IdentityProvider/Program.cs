using Chiyoda.Civic.IdentityProvider.Hosting;

namespace Chiyoda.Civic.IdentityProvider;

/// <summary>
/// Development-only OpenID Connect provider for Chiyoda Civic. <see cref="Build"/> is public so that
/// integration tests can host exactly the same application the developers run.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => Build(args).Run();

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddIdentityProviderSettings();
        builder.AddProviderCookies();
        builder.AddOidcServer();

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.MapIdentityProviderEndpoints();
        return app;
    }
}
