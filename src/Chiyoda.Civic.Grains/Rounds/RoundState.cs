using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Grains.Rounds;

[GenerateSerializer, Alias("civic.round-state")]
public sealed class RoundState
{
    [Id(0)] public RoundDefinition? Definition { get; set; }
    [Id(1)] public int Version { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public Shortlist? Shortlist { get; set; }

    /// <summary>When the results were published (null before): makes the phase results.</summary>
    [Id(5)] public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>Audit entries stored with the change they describe and delivered after it (an outbox), so none is lost.</summary>
    [Id(6)] public List<AuditEntry> PendingAudit { get; set; } = [];
}
