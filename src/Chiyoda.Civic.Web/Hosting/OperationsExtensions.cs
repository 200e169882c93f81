using Azure.Data.Tables;
using Chiyoda.Civic.Grains.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Runtime;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// Health and telemetry (docs/operations.md, "Watching the platform"). Health: ASP.NET Core health checks at the same
/// URLs as before: <c>/health</c> (liveness: the process answers; no dependency is checked, so a storage outage does
/// not make Kubernetes restart every pod) and <c>/health/ready</c> (readiness: the co-hosted silo is an active cluster
/// member, and storage answers a one-entity query within 5 s). Telemetry: OpenTelemetry traces (ASP.NET Core, Orleans)
/// and metrics (ASP.NET Core, Orleans' own meters, the platform's <see cref="CivicMetrics"/>), exported by OTLP only
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard OpenTelemetry variables apply).
/// </summary>
public static class OperationsExtensions
{
    public const string ReadyTag = "ready";

    public static WebApplicationBuilder AddCivicOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<ClusterHealthCheck>("cluster", tags: [ReadyTag])
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(_ => StorageSettings.From(builder.Configuration));

        var otlp = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "chiyoda-civic"))
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                    .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                    .AddOtlpExporter())
                .WithMetrics(metrics => metrics
                    .AddAspNetCoreInstrumentation()
                    .AddMeter(CivicMetrics.MeterName, "Microsoft.Orleans")
                    .AddOtlpExporter());
        }

        return builder;
    }

    public static WebApplication MapCivicHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).ExcludeFromDescription();
        return app;
    }

    /// <summary>Ready while the co-hosted silo is an active member of the cluster (not joining, not shutting down).</summary>
    public sealed class ClusterHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
            return Task.FromResult(status == SiloStatus.Active
                ? HealthCheckResult.Healthy($"silo {silo.SiloAddress} is active")
                : HealthCheckResult.Unhealthy($"silo {silo.SiloAddress} is {status}"));
        }
    }

    /// <summary>Storage answers: a query for at most one entity of a partition that does not exist in the grain-state table (cheap, reads nothing).</summary>
    public sealed class StorageHealthCheck(StorageSettings storage) : IHealthCheck
    {
        private readonly TableClient _table = storage.CreateTableServiceClient(new TableClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(4) } })
            .GetTableClient(storage.TableName);

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await foreach (var _ in _table.QueryAsync<TableEntity>("PartitionKey eq 'health-probe'", maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken))
                {
                    break;
                }

                return HealthCheckResult.Healthy("storage answers");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("storage does not answer", e);
            }
        }
    }
}
