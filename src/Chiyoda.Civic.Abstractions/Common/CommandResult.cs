namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// The one outcome of every grain command: the value the command produced, or a stable <see cref="Code"/>
/// (looked up in the web's one error catalogue for its HTTP status) with the fields that were wrong and,
/// for refusals that pass with time, when to try again. Capabilities migrate their own result records onto
/// this type; new commands use it directly.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.command-result`1")]
public sealed record CommandResult<TValue>(
    [property: Id(0)] TValue? Value,
    [property: Id(1)] string? Code,
    [property: Id(2)] IReadOnlyList<ValidationError> Errors,
    [property: Id(3)] TimeSpan? RetryAfter = null)
{
    public bool Succeeded => Code is null;

    public static CommandResult<TValue> Done(TValue value) => new(value, null, []);

    public static CommandResult<TValue> Refused(string code, string message, string field = "", TimeSpan? retryAfter = null) =>
        new(default, code, [new ValidationError(field, code, message)], retryAfter);

    public static CommandResult<TValue> Refused(string code, IReadOnlyList<ValidationError> errors, TimeSpan? retryAfter = null) =>
        new(default, code, errors, retryAfter);
}
