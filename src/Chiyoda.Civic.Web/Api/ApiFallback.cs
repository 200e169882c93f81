using System.Reflection;
using Chiyoda.Civic.Abstractions.Common;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// The answer for an address under /api/v1 that no operation takes. Routing prefers a fallback that accepts every method
/// to the 405 it would otherwise give, so the fallback tells the cases apart itself: a path some operation has, sent with
/// another method (<c>PUT …/shortlist</c>), is <c>405 method-not-allowed</c> with <c>Allow</c>, its message naming the
/// method sent and the methods taken; a path an operation has with the method sent, whose route value that operation's
/// route does not take (<c>POST …/steps/abc/withdraw</c>, a step number that is not a number), is
/// <c>400 invalid-address</c> naming the value (as a value that does not bind is); any other path is <c>404 not-found</c>.
/// 404 and 405 are the document's shared responses (<c>components.responses</c>).
/// </summary>
public static class ApiFallback
{
    public static IResult Answer(HttpContext context, EndpointDataSource endpoints)
    {
        var method = context.Request.Method;
        var matches = endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 } && e.RoutePattern.RawText?.Contains("{*", StringComparison.Ordinal) != true)
            .Select(e => (Endpoint: e, Values: Match(e, context.Request.Path)))
            .Where(m => m.Values is not null)
            .ToList();
        if (matches.Count == 0)
        {
            return NotFound();
        }

        // The method is one this address takes, so routing refused a value in the address (a route constraint): say which.
        foreach (var (endpoint, values) in matches.Where(m => Methods(m.Endpoint).Contains(method, StringComparer.OrdinalIgnoreCase)))
        {
            if (RefusedValue(context, endpoint, values!) is { } refused)
            {
                return refused;
            }
        }

        var allowed = matches.SelectMany(m => Methods(m.Endpoint)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (allowed.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase) && !allowed.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase))
        {
            // HEAD is answered wherever GET is (Hosting/HttpExtensions.cs, UseCivicHead).
            allowed.Add(HttpMethods.Head);
        }

        if (allowed.Contains(method, StringComparer.OrdinalIgnoreCase))
        {
            // Taken with this method, yet not routed: nothing to tell the caller but that no operation answers here.
            return NotFound();
        }

        context.Response.Headers.Allow = string.Join(", ", allowed);
        return ApiErrors.Problem(ApiErrors.MethodNotAllowed, MethodMessage(method, allowed));
    }

    /// <summary>The 405's words: the method sent and the ones the address takes ("This address does not take GET: it takes POST.").</summary>
    public static string MethodMessage(string sent, IReadOnlyList<string> allowed) =>
        $"This address does not take {QueryRules.Shown(sent)}: it takes {string.Join(", ", allowed)}.";

    private static IResult NotFound() =>
        ApiErrors.Problem(ApiErrors.NotFound, "No operation has this address: the operations are listed at /api/v1/openapi.json.");

    private static IReadOnlyList<string> Methods(RouteEndpoint endpoint) => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods;

    /// <summary>The route values of the path in the endpoint's template (its constraints not applied), or null when the path is another.</summary>
    private static RouteValueDictionary? Match(RouteEndpoint endpoint, PathString path)
    {
        var values = new RouteValueDictionary();
        return new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary()).TryMatch(path, values) ? values : null;
    }

    /// <summary>The refusal of the first route value the endpoint's constraints do not take (<c>{seq:int}</c> given "abc"), or null.</summary>
    private static IResult? RefusedValue(HttpContext context, RouteEndpoint endpoint, RouteValueDictionary values)
    {
        var factory = context.RequestServices.GetRequiredService<ParameterPolicyFactory>();
        foreach (var (name, policies) in endpoint.RoutePattern.ParameterPolicies)
        {
            var parameter = endpoint.RoutePattern.GetParameter(name);
            foreach (var reference in policies)
            {
                if (factory.Create(parameter, reference) is IRouteConstraint constraint
                    && !constraint.Match(context, null, name, values, RouteDirection.IncomingRequest))
                {
                    var value = QueryRules.Shown(Convert.ToString(values[name], System.Globalization.CultureInfo.InvariantCulture) ?? "");
                    var takes = ParameterType(endpoint, name) is { } type ? BadRequests.Allowed(type) : "a value of the kind it takes";
                    var message = $"The path segment \"{name}\" must be {takes}; \"{value}\" is not.";
                    return ApiErrors.Problem(ApiErrors.InvalidAddress, message, errors: [new ValidationError(name, ApiErrors.InvalidAddress.Code, message)]);
                }
            }
        }

        return null;
    }

    private static Type? ParameterType(RouteEndpoint endpoint, string name) =>
        endpoint.Metadata.GetMetadata<MethodInfo>()?.GetParameters().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.ParameterType;
}
