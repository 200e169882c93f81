using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Api;

public static class ApiRequests
{
    /// <summary>
    /// Reads a JSON body with the API's serializer settings; a body that is empty, not JSON or not of
    /// the expected shape becomes a <c>malformed-request</c> problem instead of an exception.
    /// </summary>
    public static async Task<(T? Body, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var body = await request.ReadFromJsonAsync<T>(options, request.HttpContext.RequestAborted);
            return body is null ? (null, ApiProblems.MalformedBody("The body is empty.")) : (body, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A body sent without a length, cut off by the server at the endpoint's cap.
            return (null, Hosting.RequestLimitsExtensions.BodyTooLarge(
                request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? Hosting.RequestLimitsExtensions.JsonBodyBytes));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException or NotSupportedException)
        {
            return (null, ApiProblems.MalformedBody(e.Message));
        }
    }
}
