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
}
