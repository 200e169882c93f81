using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// Every refusal the API gives is an RFC 9457 problem details document with a stable "code"
/// (and, for bad input, the field-level "errors"), so scripts need not parse English. The statuses and the
/// builder are <see cref="ApiErrors"/>'; this keeps the call shape of handlers that name a status themselves.
/// </summary>
public static class ApiProblems
{
    public static IResult Problem(int status, string code, string title, string? detail = null, IReadOnlyList<ValidationError>? errors = null,
        IReadOnlyDictionary<string, object?>? extensions = null) =>
        ApiErrors.Problem(status, code, title, detail, errors, extensions);
}
