using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// Requests the framework cannot bind, answered in the caller's words. Minimal APIs throw a
/// <see cref="BadHttpRequestException"/> when a query or route value does not convert to its parameter's type
/// (<c>?skip=abc</c>, <c>?take=99999999999</c>, <c>?descending=maybe</c>): the platform sets
/// <c>RouteHandlerOptions.ThrowOnBadRequest</c> in every environment, and the error handling
/// (Hosting/SecurityExtensions.cs) answers each such exception here, once for every endpoint, with a catalogue code
/// (<c>invalid-query</c>, <c>invalid-address</c>), the parameter's name and what it takes. Never the exception's text or a
/// .NET type name: those describe the server, not the request.
/// </summary>
public static partial class BadRequests
{
    private const int ShownValueLength = 40;

    /// <summary>The problem details for a request the framework refused while binding or reading it.</summary>
    public static ProblemHttpResult Problem(HttpContext context, BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Hosting.RequestLimitsExtensions.BodyTooLarge(
                context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? Hosting.RequestLimitsExtensions.JsonBodyBytes);
        }

        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ApiErrors.Problem(ApiErrors.UnsupportedMediaType, "Send the body as application/json.");
        }

        if (exception.StatusCode != StatusCodes.Status400BadRequest)
        {
            var code = ApiErrors.CodeForStatus(exception.StatusCode);
            return ApiErrors.Problem(exception.StatusCode, code, ApiErrors.Find(code)?.Title ?? "The request could not be read.", null, null, null);
        }

        if (BindingFailure().Match(exception.Message) is { Success: true } failure)
        {
            var name = failure.Groups["name"].Value;
            var inPath = context.GetEndpoint() is RouteEndpoint route && route.RoutePattern.GetParameter(name) is not null;
            var where = inPath ? "path segment" : "query parameter";
            // The endpoint's own rule for the parameter says more than its type ("from 1 to 200", not any int).
            var allowed = context.GetEndpoint()?.Metadata.GetOrderedMetadata<QueryRule>().FirstOrDefault(r => r.Name == name)?.Takes
                ?? (ParameterType(context, name) is { } type ? Allowed(type) : "a value of the kind it takes");
            string message;
            if (failure.Groups["value"].Success)
            {
                var value = failure.Groups["value"].Value;
                var shown = value.Length > ShownValueLength ? value[..ShownValueLength] + "…" : value;
                message = $"The {where} \"{name}\" must be {allowed}; \"{shown}\" is not.";
            }
            else
            {
                message = $"The {where} \"{name}\" is required: give {allowed}.";
            }

            return ApiErrors.Problem(inPath ? ApiErrors.InvalidAddress : ApiErrors.InvalidQuery, message,
                errors: [new ValidationError(name, inPath ? ApiErrors.InvalidAddress.Code : ApiErrors.InvalidQuery.Code, message)]);
        }

        // A body the framework itself was to read (no handler here binds one so: JsonBody<T> reads every JSON body).
        return ApiErrors.Problem(ApiErrors.MalformedRequest, "The request could not be read: send the values this operation takes (see /api/v1/openapi.json).");
    }

    /// <summary>What a value of this type may be, in the caller's words (used for query values and JSON fields alike).</summary>
    public static string Allowed(Type type, JsonSerializerOptions? json = null)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            var names = Enum.GetValues(type).Cast<object>()
                .Select(v => json is null ? v.ToString()! : JsonSerializer.Serialize(v, type, json).Trim('"'));
            return "one of " + string.Join(", ", names.Select(n => $"\"{n}\""));
        }

        return type switch
        {
            _ when type == typeof(string) => "text (a string)",
            _ when type == typeof(bool) => "true or false",
            // A resident or clerk is told "a whole number", not the bounds of a .NET type; a field's own range is the
            // grain's to state when it refuses the value ("The rating is a whole number from 1 to 5").
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte) => "a whole number",
            _ when type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte) => "a whole number, 0 or more",
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a number",
            _ when type == typeof(DateOnly) => "a date (2024-08-05)",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time (2024-08-05T09:00 in Tokyo time, or ISO 8601 with an offset)",
            _ when type == typeof(TimeOnly) => "a time of day (09:00)",
            _ when type == typeof(Guid) => "a GUID (8-4-4-4-12 hexadecimal digits)",
            _ when type.IsAssignableTo(typeof(System.Collections.IDictionary)) || IsGeneric(type, typeof(IReadOnlyDictionary<,>)) || IsGeneric(type, typeof(IDictionary<,>))
                => "an object of names and values",
            _ when type.IsArray || type.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "a list (a JSON array)",
            _ => "an object (a JSON object)",
        };
    }

    private static bool IsGeneric(Type type, Type definition) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() == definition)
        || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);

    /// <summary>The type of the handler's parameter of this name (also inside an <c>[AsParameters]</c> record).</summary>
    private static Type? ParameterType(HttpContext context, string name)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>() is not { } method)
        {
            return null;
        }

        foreach (var parameter in method.GetParameters())
        {
            if (string.Equals(parameter.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return parameter.ParameterType;
            }

            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null
                && parameter.ParameterType.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { } property)
            {
                return property.PropertyType;
            }
        }

        return null;
    }

    /// <summary>
    /// The parameter named by a binding failure: <c>Failed to bind parameter "int? skip" from "abc".</c> or
    /// <c>Required parameter "int take" was not provided from query string.</c> (RequestDelegateFactory's messages).
    /// </summary>
    [GeneratedRegex("""^(?:Failed to bind parameter|Required parameter) "(?<type>.+) (?<name>[^\s"]+)" (?:from "(?<value>.*)"\.|was not provided from (?<source>.+)\.)$""",
        RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex BindingFailure();
}
