using Azure.Data.Tables;
using Azure.Identity;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Grains.Ballots.Storage;
using Chiyoda.Civic.Web.Security;

namespace Chiyoda.Civic.Web.Hosting;

public static class OrleansExtensions
{
    /// <summary>
    /// Co-hosts the Orleans silo with grain state in Azure Table storage. The storage endpoint is
    /// required: without it the app refuses to start rather than silently keep votes in memory. So is,
    /// for a cluster, the silos' TLS certificate (<see cref="SiloTlsSettings"/>).
    /// </summary>
    public static WebApplicationBuilder AddCivicOrleans(this WebApplicationBuilder builder)
    {
        var storage = StorageSettings.From(builder.Configuration);
        var cluster = ClusterSettings.From(builder.Configuration, builder.Environment);
        var ballotKey = BallotEncryptionKey.From(builder.Configuration, builder.Environment);
        // A cluster's silos talk over the network: mutual TLS, or no start.
        var tls = SiloTlsSettings.From(builder.Configuration, required: cluster.Clustering != ClusteringMode.Localhost, TimeProvider.System);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<Abstractions.Comments.CommentOptions>(builder.Configuration.GetSection(Abstractions.Comments.CommentOptions.Section));
        builder.Services.Configure<Abstractions.Satisfaction.SatisfactionOptions>(builder.Configuration.GetSection(Abstractions.Satisfaction.SatisfactionOptions.Section));
        builder.Services.Configure<Grains.Results.BallotRetentionOptions>(options =>
            options.PurgeAfter = TimeSpan.FromDays(builder.Configuration.GetValue("Ballots:PurgeAfterDays", options.PurgeAfter.TotalDays)));
        builder.UseOrleans(silo =>
        {
            silo.UseCivicClustering(cluster, storage);
            if (tls is not null)
            {
                silo.UseTls(tls.Certificate, options => tls.Configure(options, TimeProvider.System));
            }

            silo.UseSystemTextJsonGrainStorageSerializer();
            silo.AddAzureTableGrainStorage(StorageNames.GrainState, options =>
            {
                options.TableName = storage.TableName;
                options.TableServiceClient = storage.CreateTableServiceClient();
            });
            // Ballots get their own table and write path: group commit into batch transactions.
            silo.AddCivicBallotStorage(options =>
            {
                options.TableName = builder.Configuration["Storage:BallotTableName"] is { Length: > 0 } table ? table : "CivicBallots";
                options.TableServiceClient = storage.CreateTableServiceClient(BallotStorageClientOptions());
                options.ReadTableServiceClient = storage.CreateTableServiceClient(BallotReadClientOptions());
                options.TransactionsInFlight = builder.Configuration.GetValue("Storage:BallotTransactionsInFlight", options.TransactionsInFlight);
                options.ReadParallelism = builder.Configuration.GetValue("Storage:BallotReadParallelism", options.ReadParallelism);
                options.EncryptionKey = ballotKey;
            });
            // Durable reminders (the close of voting is recorded even if the silo was down at that moment).
            silo.UseAzureTableReminderService(options => options.TableServiceClient = storage.CreateTableServiceClient());
            silo.AddStartupTask((services, _) =>
                services.GetRequiredService<IGrainFactory>().GetGrain<Abstractions.Results.ICloseWatchGrain>(Abstractions.Results.ICloseWatchGrain.WardKey).StartAsync());
        });
        return builder;
    }

    /// <summary>
    /// A voter waits on the ballot write: a storage outage should end in a clear, retryable failure
    /// within seconds (answered 503), not hang for the SDK's default of minutes. A retried transaction
    /// whose first attempt did land is refused by storage (insert of an existing ballot, or a stale
    /// ETag), and the ballot grain then reads the ballot, so a retry never stores a ballot twice.
    /// </summary>
    /// <summary>Long reads (the count, tally scans) wait for a loaded storage: a page may take seconds, an outage still fails within a minute.</summary>
    private static TableClientOptions BallotReadClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(60);
        return options;
    }

    private static TableClientOptions BallotStorageClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        return options;
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

    public TableServiceClient CreateTableServiceClient(TableClientOptions? options = null)
    {
        options ??= GrainStateClientOptions();
        return ConnectionString is not null
            ? new TableServiceClient(ConnectionString, options)
            : new TableServiceClient(TableEndpoint!, new DefaultAzureCredential(), options);
    }

    /// <summary>
    /// A request that gets no answer is sent again after 10 s rather than the SDK's 100 s. A table write answers in
    /// milliseconds; one lost on a dropped connection otherwise held its grain call past Orleans' 30 s response time-out,
    /// and the person saving saw it fail although a resend would have stored it at once.
    /// </summary>
    private static TableClientOptions GrainStateClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }
}
