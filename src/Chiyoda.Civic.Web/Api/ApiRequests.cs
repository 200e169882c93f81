using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Api;

public static class ApiRequests
{
    /// <summary>
    /// Reads a JSON body with the API's serializer settings; a body that is empty, not JSON or not of
    /// the expected shape becomes a <c>malformed-request</c> problem instead of an exception. No list in any
    /// request holds <c>null</c> (a line, a facility, a stage, a choice): one that does is malformed, refused
    /// here once for every endpoint rather than met as a null deep inside a handler.
    /// </summary>
    public static async Task<(T? Body, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (NullInList(document.RootElement) is { } path)
            {
                return (null, ApiProblems.MalformedBody($"A list may not hold null ({path})."));
            }

            var body = document.RootElement.Deserialize<T>(options);
            return body is null ? (null, ApiProblems.MalformedBody("The body is empty.")) : (body, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A body sent without a length, cut off by the server at the endpoint's cap.
            return (null, Hosting.RequestLimitsExtensions.BodyTooLarge(
                request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? Hosting.RequestLimitsExtensions.JsonBodyBytes));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException or NotSupportedException or ArgumentException)
        {
            return (null, ApiProblems.MalformedBody(e.Message));
        }
    }

    /// <summary>Where the first null inside an array is (a JSON path), or null when there is none.</summary>
    private static string? NullInList(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var itemPath = $"{path}[{index++}]";
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        return itemPath;
                    }

                    if (NullInList(item, itemPath) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (NullInList(property.Value, $"{path}.{property.Name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
