namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>What the web says of a refused <see cref="CommandResult{TValue}"/>: the problem-details <c>detail</c>.</summary>
public static class CommandResultDetail
{
    extension<TValue>(CommandResult<TValue> result)
    {
        /// <summary>The refusal's messages as one line, or null when it carries none.</summary>
        public string? Detail => result.Errors is { Count: > 0 } errors && errors.Any(e => e.Message.Length > 0)
            ? string.Join("; ", errors.Select(e => e.Message).Where(m => m.Length > 0))
            : null;
    }

    /// <summary>A refusal that still carries the value as it stands (the results of a round beside the refused step, say).</summary>
    public static CommandResult<TValue> RefusedWith<TValue>(TValue? value, string code, string? detail = null) =>
        new(value, code, detail is null ? [] : [new ValidationError("", code, detail)]);
}
