using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chiyoda.Civic.IdentityProvider.Hosting;

public static class SettingsExtensions
{
    /// <summary>
    /// Registers <see cref="IdentityProviderSettings"/> and refuses to start outside Development: this
    /// provider signs anyone in with a shared, published password, so it must never face real users.
    /// </summary>
    public static WebApplicationBuilder AddIdentityProviderSettings(this WebApplicationBuilder builder)
    {
        var allowOutsideDevelopment = builder.Configuration.GetValue<bool>(
            $"{IdentityProviderSettings.SectionName}:AllowOutsideDevelopment");
        if (!builder.Environment.IsDevelopment() && !allowOutsideDevelopment)
        {
            throw new InvalidOperationException(
                "Chiyoda.Civic.IdentityProvider is a development identity provider with a shared password and " +
                $"must not run in the '{builder.Environment.EnvironmentName}' environment. Set " +
                "ASPNETCORE_ENVIRONMENT=Development, or set IdentityProvider:AllowOutsideDevelopment=true " +
                "for a disposable test environment.");
        }

        builder.Services.AddSingleton(IdentityProviderSettings.FromConfiguration(builder.Configuration));

        // Injected so tests can pin "today in Tokyo" and exercise the age boundaries.
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}
