namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>One thing wrong with a command: the field it concerns, a stable code clients can rely on, and a message.</summary>
[GenerateSerializer, Immutable, Alias("civic.validation-error")]
public sealed record ValidationError(
    [property: Id(0)] string Field,
    [property: Id(1)] string Code,
    [property: Id(2)] string Message);
