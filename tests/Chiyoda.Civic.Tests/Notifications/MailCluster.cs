using System.Globalization;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Grains.Ballots.Storage;
using Chiyoda.Civic.Grains.Notifications;
using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Chiyoda.Civic.Tests.Notifications;

/// <summary>
/// A one-silo test cluster on the real Azurite, like <see cref="ClusterFixture"/>, with email on: the
/// platform's SMTP sender pointed at a loopback port (an <see cref="SmtpReceiver"/>, or nothing at all).
/// Two clusters with one service id share their stored state, as a restarted silo does.
/// </summary>
public sealed class MailCluster : IAsyncDisposable
{
    public const string From = "千代田区 デジタル活用提案 <no-reply@example.jp>";
    public const string SiteUrl = "https://civic.example.jp/";

    /// <summary>Waits after the 1st and 2nd failed attempts; the 3rd failure gives up.</summary>
    public static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    private static readonly byte[] BallotKey = BallotSealing.NewKey();

    private const string ConnectionStringKey = "MailTests:StorageConnectionString";
    private const string SmtpPortKey = "MailTests:SmtpPort";

    private MailCluster(TestCluster cluster) => Cluster = cluster;

    public TestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    public TestClock Clock => Cluster.Primary is InProcessSiloHandle silo
        ? (TestClock)silo.SiloHost.Services.GetRequiredService<TimeProvider>()
        : throw new InvalidOperationException("The test silo is not in process.");

    public static async Task<MailCluster> StartAsync(string serviceId, int smtpPort)
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Properties[ConnectionStringKey] = await Azurite.ConnectionStringAsync();
        builder.Properties[SmtpPortKey] = smtpPort.ToString(CultureInfo.InvariantCulture);
        builder.AddSiloBuilderConfigurator<Configurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new MailCluster(cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>
    /// The first notice of a fresh silo registers the inbox's durable reminder, and the reminder service of a silo that has
    /// just started (its Azurite table) can take longer than Orleans' default 30 s response time-out when the suite's browser
    /// tests load the machine: seen as a time-out of the status change that delivered the notice, in CI only (twice in ten
    /// runs, once at 30 s and once at 2 min; never on a quiet machine, nor with three CPU hogs beside the class). The test
    /// cluster waits longer, storage requests that get no answer are sent again after 10 s instead of the SDK's 100 s, and
    /// <see cref="CommandAsync{T}"/> sends a command that timed out again with its request id, as any client would.
    /// </summary>
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(50);

    /// <summary>Sends an idempotent grain command (one with a request id), again on a time-out: at most three times.</summary>
    public static async Task<T> CommandAsync<T>(Func<Task<T>> command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await command();
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }
    }

    private static TableServiceClient Storage(string connectionString)
    {
        var options = new TableClientOptions();
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return new TableServiceClient(connectionString, options);
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.Configure<Orleans.Configuration.ClientMessagingOptions>(options => options.ResponseTimeout = ResponseTimeout);
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Configure<Orleans.Configuration.SiloMessagingOptions>(options => options.ResponseTimeout = ResponseTimeout);
            var connectionString = siloBuilder.Configuration[ConnectionStringKey]!;
            var port = int.Parse(siloBuilder.Configuration[SmtpPortKey]!, CultureInfo.InvariantCulture);
            siloBuilder.Services.AddSingleton<TimeProvider>(new TestClock(new DateTimeOffset(2024, 8, 1, 0, 0, 0, TimeSpan.FromHours(9))));
            siloBuilder.Services.Configure<NoticeEmailOptions>(options =>
            {
                options.SiteUrl = SiteUrl;
                options.Smtp.Host = "127.0.0.1";
                options.Smtp.Port = port;
                options.Smtp.From = From;
                options.Smtp.Security = MailKit.Security.SecureSocketOptions.None;
                options.Smtp.TimeoutSeconds = 5;
                options.RetryDelays = RetryDelays;
            });
            siloBuilder.Services.AddSingleton<INoticeMailer, SmtpNoticeMailer>();
            siloBuilder.Services.AddSingleton<Chiyoda.Civic.Grains.Reminders.ReminderPacer>();
            siloBuilder.UseSystemTextJsonGrainStorageSerializer();
            siloBuilder.AddAzureTableGrainStorage(StorageNames.GrainState, options =>
            {
                options.TableName = "CivicGrainState";
                options.TableServiceClient = Storage(connectionString);
            });
            // Ballots too, so reminders can ask whether a voter has voted; one key for the whole run, as a restarted silo keeps it.
            siloBuilder.AddCivicBallotStorage(options =>
            {
                options.TableServiceClient = Storage(connectionString);
                options.EncryptionKey = BallotKey;
            });
            siloBuilder.Services.Configure<Chiyoda.Civic.Grains.Reminders.ReminderEmailOptions>(options => options.EmailsPerSecond = 50);
            siloBuilder.UseAzureTableReminderService(options => options.TableServiceClient = Storage(connectionString));
        }
    }
}
