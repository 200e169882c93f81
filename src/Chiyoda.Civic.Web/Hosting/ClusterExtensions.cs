using System.Net;
using Orleans.Configuration;

namespace Chiyoda.Civic.Web.Hosting;

public static class ClusteringExtensions
{
    /// <summary>
    /// Localhost: one silo, as before. AzureStorage: the membership table lives in the grain-state
    /// account, so a cluster needs no other infrastructure; the silo listens on its ports and tells
    /// the others the advertised address (in Kubernetes the pod's IP, in App Service the instance's
    /// private IP and ports).
    /// </summary>
    public static ISiloBuilder UseCivicClustering(this ISiloBuilder silo, ClusterSettings cluster, StorageSettings storage)
    {
        if (cluster.Clustering == ClusteringMode.Localhost)
        {
            return silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        }

        silo.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = cluster.ServiceId;
            options.ClusterId = cluster.ClusterId;
        });
        silo.Configure<EndpointOptions>(options =>
        {
            options.SiloPort = cluster.SiloPort;
            options.GatewayPort = cluster.GatewayPort;
            if (cluster.AdvertisedIP is not null)
            {
                options.AdvertisedIPAddress = cluster.AdvertisedIP;
            }

            if (cluster.Hosting == SiloHosting.AppService)
            {
                // The private IP belongs to the VNet integration, not to an interface the process can bind.
                options.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, cluster.SiloPort);
                options.GatewayListeningEndpoint = cluster.GatewayPort > 0 ? new IPEndPoint(IPAddress.Any, cluster.GatewayPort) : null;
            }
        });
        silo.UseAzureStorageClustering(options =>
        {
            options.TableName = cluster.MembershipTableName;
            options.TableServiceClient = storage.CreateTableServiceClient();
        });
        if (cluster.Hosting == SiloHosting.Kubernetes)
        {
            // Pod name and IP from the downward API; a silo whose pod is deleted is declared dead at once
            // instead of after missed probes.
            silo.UseKubernetesHosting();
        }

        return silo;
    }
}

/// <summary>How silos find each other.</summary>
public enum ClusteringMode
{
    /// <summary>One silo on this machine, no membership table: the single-process <c>./run.sh</c>.</summary>
    Localhost,

    /// <summary>Silos list themselves in an Azure Table (the same account as grain state) and find each other there.</summary>
    AzureStorage,
}

/// <summary>Where the silo's address and ports come from.</summary>
public enum SiloHosting
{
    /// <summary>From the settings (<c>Orleans:SiloPort</c>, <c>Orleans:GatewayPort</c> if any, <c>Orleans:AdvertisedIP</c>).</summary>
    Plain,

    /// <summary><c>Orleans:Kubernetes=true</c>: from the pod (POD_NAME, POD_NAMESPACE, POD_IP).</summary>
    Kubernetes,

    /// <summary><c>Orleans:AppService=true</c>: from App Service's VNet integration (WEBSITE_PRIVATE_IP, WEBSITE_PRIVATE_PORTS).</summary>
    AppService,
}

/// <summary>
/// The silo's place in a cluster: <c>Orleans:Membership</c> (Localhost or AzureStorage), its ports (a
/// gateway port only if <c>Orleans:GatewayPort</c> is set; 0 is none), the address other silos reach it at,
/// and the platform it runs on. The mode is not called
/// <c>Orleans:Clustering</c> because Orleans itself reads that section as a provider configuration.
/// Outside development a single-machine (Localhost) cluster is refused: a second process would start
/// a second, separate cluster on the same storage, and two activations of one ballot grain could then
/// both accept a vote.
/// </summary>
public sealed record ClusterSettings(
    ClusteringMode Clustering,
    string ServiceId,
    string ClusterId,
    int SiloPort,
    int GatewayPort,
    IPAddress? AdvertisedIP,
    SiloHosting Hosting,
    string MembershipTableName)
{
    public const string SectionName = "Orleans";

    public static ClusterSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(SectionName);
        var modeText = section["Membership"];
        ClusteringMode mode;
        if (string.IsNullOrWhiteSpace(modeText))
        {
            mode = ClusteringMode.Localhost;
        }
        else if (!Enum.TryParse(modeText, ignoreCase: true, out mode) || !Enum.IsDefined(mode))
        {
            throw new InvalidOperationException(
                $"Orleans:Membership is '{modeText}'; it must be Localhost (one process) or AzureStorage (a cluster).");
        }

        if (mode == ClusteringMode.Localhost && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "Clustering is not configured: set Orleans:Membership=AzureStorage (silos find each other in the " +
                "grain-state storage account). Localhost clustering is for development on one machine only. " +
                "See docs/operations.md, 'Settings'.");
        }

        var hosting = (section.GetValue("Kubernetes", false), section.GetValue("AppService", false)) switch
        {
            (true, true) => throw new InvalidOperationException("Set Orleans:Kubernetes or Orleans:AppService, not both."),
            (true, false) => SiloHosting.Kubernetes,
            (false, true) => SiloHosting.AppService,
            _ => SiloHosting.Plain,
        };
        if (hosting != SiloHosting.Plain && mode != ClusteringMode.AzureStorage)
        {
            throw new InvalidOperationException($"Orleans:{hosting}=true needs Orleans:Membership=AzureStorage.");
        }

        var siloPort = section.GetValue("SiloPort", 11111);
        // No gateway unless asked for: the front ends are co-hosted with their silos and need none, and a
        // listening gateway is one more port through which grains could be called.
        var gatewayPort = section.GetValue("GatewayPort", 0);
        if (gatewayPort < 0)
        {
            throw new InvalidOperationException($"Orleans:GatewayPort is {gatewayPort}; leave it unset (no gateway) or give a port.");
        }

        var advertised = section["AdvertisedIP"];
        if (hosting == SiloHosting.AppService)
        {
            // App Service gives each instance a private IP and a set of private ports (vnetPrivatePortsCount):
            // the first carries silo-to-silo traffic; the second, only if Orleans:GatewayPort is set, the gateway.
            advertised = configuration["WEBSITE_PRIVATE_IP"];
            var ports = (configuration["WEBSITE_PRIVATE_PORTS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (string.IsNullOrWhiteSpace(advertised) || ports.Length == 0 || !int.TryParse(ports[0], out siloPort))
            {
                throw new InvalidOperationException(
                    "Orleans:AppService=true but WEBSITE_PRIVATE_IP or WEBSITE_PRIVATE_PORTS is missing: the app needs " +
                    "VNet integration and siteConfig.vnetPrivatePortsCount of at least 1 (see deploy/azure/main.bicep).");
            }

            if (gatewayPort > 0)
            {
                gatewayPort = ports.Length > 1 && int.TryParse(ports[1], out var gateway)
                    ? gateway
                    : throw new InvalidOperationException(
                        "Orleans:GatewayPort is set on App Service but WEBSITE_PRIVATE_PORTS has no second port for it (vnetPrivatePortsCount = 2).");
            }
        }

        IPAddress? advertisedIP = null;
        if (!string.IsNullOrWhiteSpace(advertised) && !IPAddress.TryParse(advertised, out advertisedIP))
        {
            throw new InvalidOperationException($"Orleans:AdvertisedIP is '{advertised}'; it must be an IP address.");
        }

        return new ClusterSettings(
            mode,
            section["ServiceId"] is { Length: > 0 } serviceId ? serviceId : "chiyoda-civic",
            section["ClusterId"] is { Length: > 0 } clusterId ? clusterId : "chiyoda-civic-local",
            siloPort,
            gatewayPort,
            advertisedIP,
            hosting,
            section["MembershipTableName"] is { Length: > 0 } table ? table : "OrleansSiloInstances");
    }
}

public static class SiloRoleExtensions
{
    /// <summary>
    /// <c>Web:Enabled=false</c> makes this process a silo only: it hosts grains and answers its
    /// health probes, and nothing else (no pages, no API), so silos can be added for grain capacity
    /// without adding front ends to the load balancer. It still needs the same settings as a front
    /// end, because the services are registered the same way.
    /// </summary>
    public static WebApplication UseCivicSiloOnly(this WebApplication app)
    {
        if (app.Configuration.GetValue("Web:Enabled", true))
        {
            return app;
        }

        app.Use((context, next) => context.Request.Path.StartsWithSegments("/health")
            ? next(context)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "This process is a silo only; it serves no pages or API.",
                extensions: new Dictionary<string, object?> { ["code"] = "silo-only" }).ExecuteAsync(context));
        return app;
    }
}
