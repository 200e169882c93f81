using Microsoft.AspNetCore.Routing.Template;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// The answer for an address under /api/v1 that no operation takes. Routing prefers a fallback that accepts every method
/// to the 405 it would otherwise give, so the fallback tells the two apart itself: a path some operation has, sent with
/// another method (<c>PUT …/shortlist</c>), is <c>405 method-not-allowed</c> with <c>Allow</c>; any other path is
/// <c>404 not-found</c>. Both are the document's shared responses (<c>components.responses</c>).
/// </summary>
public static class ApiFallback
{
    public static IResult Answer(HttpContext context, EndpointDataSource endpoints)
    {
        var allowed = endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 } && e.RoutePattern.RawText?.Contains("{*", StringComparison.Ordinal) != true)
            .Where(e => new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()).TryMatch(context.Request.Path, new RouteValueDictionary()))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (allowed.Count == 0)
        {
            return ApiErrors.Problem(ApiErrors.NotFound, "No operation has this address: the operations are listed at /api/v1/openapi.json.");
        }

        if (allowed.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase) && !allowed.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase))
        {
            // HEAD is answered wherever GET is (Hosting/HttpExtensions.cs, UseCivicHead).
            allowed.Add(HttpMethods.Head);
        }

        context.Response.Headers.Allow = string.Join(", ", allowed);
        return ApiErrors.Problem(ApiErrors.MethodNotAllowed, $"This address takes {string.Join(", ", allowed)}, not {context.Request.Method}.");
    }
}
