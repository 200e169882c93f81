using System.Diagnostics.Metrics;

namespace Chiyoda.Civic.Grains.Diagnostics;

/// <summary>
/// The platform's own metrics, on one <see cref="Meter"/> named <c>Chiyoda.Civic</c> (exported by OpenTelemetry
/// when OTEL_EXPORTER_OTLP_ENDPOINT is set, readable in process by any MeterListener; docs/operations.md). No
/// instrument carries a voter, a ballot's choices or anything else about a person: only counts, durations and
/// the kind of thing (channel, outcome, grain).
/// </summary>
public static class CivicMetrics
{
    public const string MeterName = "Chiyoda.Civic";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Ballots written to storage (online or paper), by channel: its rate is ballots stored per second.</summary>
    public static readonly Counter<long> BallotsStored =
        Meter.CreateCounter<long>("civic.ballots.stored", "{ballot}", "Ballots written to storage (online or paper).");

    /// <summary>How long casting an online ballot takes in its grain, from the call to the answer (checks, storage write), by outcome.</summary>
    public static readonly Histogram<double> BallotDuration =
        Meter.CreateHistogram<double>("civic.ballot.duration", "ms", "Time to cast an online ballot in its grain, checks and storage write included.");

    /// <summary>Grain-state writes that failed (storage unreachable, timed out, refused), by grain kind.</summary>
    public static readonly Counter<long> StorageFailures =
        Meter.CreateCounter<long>("civic.storage.failures", "{failure}", "Grain-state writes that failed.");

    /// <summary>Paper-ballot lines applied by batch commits (each line once, whatever its outcome).</summary>
    public static readonly Counter<long> PaperLinesCommitted =
        Meter.CreateCounter<long>("civic.paper.lines.committed", "{line}", "Paper-ballot lines applied by batch commits.");
}
