using Azure.Data.Tables;
using Azure.Identity;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Web.Hosting;

public static class OrleansExtensions
{
    /// <summary>
    /// Co-hosts the Orleans silo with grain state in Azure Table storage. The storage endpoint is
    /// required: without it the app refuses to start rather than silently keep votes in memory.
    /// </summary>
    public static WebApplicationBuilder AddCivicOrleans(this WebApplicationBuilder builder)
    {
        var storage = StorageSettings.From(builder.Configuration);
        var orleans = builder.Configuration.GetSection("Orleans");

        builder.Services.AddSingleton(TimeProvider.System);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(
                siloPort: orleans.GetValue("SiloPort", 11111),
                gatewayPort: orleans.GetValue("GatewayPort", 30000),
                serviceId: orleans.GetValue("ServiceId", "chiyoda-civic")!,
                clusterId: orleans.GetValue("ClusterId", "chiyoda-civic-local")!);
            silo.UseSystemTextJsonGrainStorageSerializer();
            silo.AddAzureTableGrainStorage(StorageNames.GrainState, options =>
            {
                options.TableName = storage.TableName;
                options.TableServiceClient = storage.CreateTableServiceClient();
            });
            // Durable reminders (the close of voting is recorded even if the silo was down at that moment).
            silo.UseAzureTableReminderService(options => options.TableServiceClient = storage.CreateTableServiceClient());
            silo.AddStartupTask((services, _) =>
                services.GetRequiredService<IGrainFactory>().GetGrain<Abstractions.Results.ICloseWatchGrain>(Abstractions.Results.ICloseWatchGrain.WardKey).StartAsync());
        });
        return builder;
    }
}

/// <summary>Where grain state lives: a connection string (Azurite, or a key-based account) or an endpoint reached with a managed identity.</summary>
public sealed record StorageSettings(string? ConnectionString, Uri? TableEndpoint, string TableName)
{
    public static StorageSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Storage");
        var connectionString = section["ConnectionString"];
        var endpoint = section["TableEndpoint"];
        if (string.IsNullOrWhiteSpace(connectionString) && string.IsNullOrWhiteSpace(endpoint))
        {
            throw new InvalidOperationException(
                "Grain storage is not configured. Set Storage:ConnectionString (for example " +
                "'UseDevelopmentStorage=true' for Azurite) or Storage:TableEndpoint (https://<account>.table.core.windows.net/, " +
                "reached with DefaultAzureCredential).");
        }

        return new StorageSettings(
            string.IsNullOrWhiteSpace(connectionString) ? null : connectionString,
            string.IsNullOrWhiteSpace(endpoint) ? null : new Uri(endpoint),
            section["TableName"] is { Length: > 0 } table ? table : "CivicGrainState");
    }

    public TableServiceClient CreateTableServiceClient() => ConnectionString is not null
        ? new TableServiceClient(ConnectionString)
        : new TableServiceClient(TableEndpoint!, new DefaultAzureCredential());
}
