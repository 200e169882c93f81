using Chiyoda.Civic.Abstractions.Common;
using Microsoft.AspNetCore.Mvc;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// Every refusal the API gives is an RFC 9457 problem details document with a stable "code"
/// (and, for bad input, the field-level "errors"), so scripts need not parse English.
/// </summary>
public static class ApiProblems
{
    public static IResult Problem(int status, string code, string title, string? detail = null, IReadOnlyList<ValidationError>? errors = null,
        IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = $"urn:chiyoda-civic:problem:{code}",
        };
        problem.Extensions["code"] = code;
        if (errors is { Count: > 0 })
        {
            problem.Extensions["errors"] = errors;
        }

        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[name] = value;
        }

        return TypedResults.Problem(problem);
    }

    public static IResult MalformedBody(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "malformed-request", "The request body is not valid JSON of the expected shape.", detail);
}
