using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chiyoda.Civic.Abstractions.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Api;

public static class ApiRequests
{
    /// <summary>
    /// Reads a JSON body with the API's serializer settings; a body that is empty, not JSON or not of the
    /// expected shape becomes a <c>malformed-request</c> problem instead of an exception, worded for the caller: which field
    /// and what it takes, or where the JSON breaks off, never a .NET type or the serializer's message. No list in any
    /// request holds <c>null</c> (a line, a facility, a stage, a choice): one that does is malformed, refused
    /// here once for every endpoint rather than met as a null deep inside a handler. An <paramref name="optional"/> body
    /// may be left out (nothing, white space or <c>null</c>): then neither a body nor a problem comes back.
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, bool optional = false)
        where T : class
    {
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var expected = BadRequests.Allowed(typeof(T));
        if (HasBody(request) && NotJson(request.ContentType) is { } refusal)
        {
            return (null, refusal);
        }

        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A body sent without a length, cut off by the server at the endpoint's cap.
            return (null, Hosting.RequestLimitsExtensions.BodyTooLarge(
                request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? Hosting.RequestLimitsExtensions.JsonBodyBytes));
        }
        catch (BadHttpRequestException)
        {
            return (null, Malformed("", "The body could not be read to its end: send it again, whole."));
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);

        // A UTF-8 byte order mark (Windows tools write one) says nothing about the JSON after it: read past it, where the
        // parser would refuse the whole body at its first byte.
        if (bytes.Span.StartsWith(Utf8Bom))
        {
            bytes = bytes[Utf8Bom.Length..];
        }

        if (IsBlank(bytes.Span))
        {
            return optional ? (null, null) : (null, Malformed("", $"The body is empty: send {expected}."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line && e.BytePositionInLine is { } position ? $" (line {line + 1}, byte {position + 1})" : "";
            return (null, Malformed("", $"The body is not valid JSON{where}: send {expected}."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Null)
            {
                return optional ? (null, null) : (null, Malformed("", $"The body is null: send {expected}."));
            }

            if (NullInList(document.RootElement) is { } path)
            {
                return (null, Malformed(Field(path), $"A list may not hold null ({Field(path)})."));
            }

            // A field given twice or one the request does not have is refused, not read on a guess: the serializer would
            // keep the last of two values (which one the sender meant cannot be told) and drop a misspelt field silently.
            if (UnknownOrRepeated(document.RootElement, typeof(T), options, []) is { } unknownOrRepeated)
            {
                return (null, unknownOrRepeated);
            }

            try
            {
                var body = document.RootElement.Deserialize<T>(Strict(options));
                return body is null ? (null, Malformed("", $"The body is empty: send {expected}.")) : (body, null);
            }
            catch (JsonException e)
            {
                var (field, message) = Describe(e, typeof(T), options, document.RootElement);
                return (null, Malformed(field, message));
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or FormatException or OverflowException)
            {
                return (null, Malformed("", $"The body does not have the shape this operation takes: send {expected} as /api/v1/openapi.json describes it."));
            }
        }
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> StrictOptions = new();

    /// <summary>
    /// The API's serializer settings that refuse a repeated property and one the request record does not have: what
    /// <see cref="UnknownOrRepeated"/> has already answered in words, kept by the serializer too, so no body is read leniently.
    /// </summary>
    internal static JsonSerializerOptions Strict(JsonSerializerOptions options) =>
        StrictOptions.GetValue(options, o => new JsonSerializerOptions(o)
        {
            AllowDuplicateProperties = false,
            UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        });

    /// <summary>
    /// The first field of the body that is given twice in one object (<c>{"choices":[1],"choices":[2]}</c>, also in another
    /// case where names are read without regard to case) or that the request record has no place for (a misspelt or an
    /// invented field), walking the body along the record's JSON contract; null when there is none. A value the contract
    /// does not describe as an object, a list or a dictionary (a date, an enum) is left to the serializer.
    /// </summary>
    internal static ProblemHttpResult? UnknownOrRepeated(JsonElement element, Type type, JsonSerializerOptions options, List<string> path)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        JsonTypeInfo info;
        try
        {
            info = options.GetTypeInfo(type);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object when info.Kind == JsonTypeInfoKind.Object:
            {
                var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                var open = info.Properties.Any(p => p.IsExtensionData);
                var seen = new Dictionary<string, string>(StringComparer.FromComparison(comparison));
                foreach (var property in element.EnumerateObject())
                {
                    var field = Field([.. path, property.Name]);
                    if (seen.TryGetValue(property.Name, out var first))
                    {
                        var also = string.Equals(first, property.Name, StringComparison.Ordinal) ? "" : $" (as \"{QueryRules.Shown(first)}\" and \"{QueryRules.Shown(property.Name)}\")";
                        return Malformed(field, $"\"{QueryRules.Shown(field)}\" is given more than once{also}: send each field once.");
                    }

                    seen[property.Name] = property.Name;
                    var member = info.Properties.FirstOrDefault(p => !p.IsExtensionData && string.Equals(p.Name, property.Name, comparison));
                    if (member is null)
                    {
                        if (open)
                        {
                            continue;
                        }

                        var known = info.Properties.Where(p => !p.IsExtensionData).Select(p => $"\"{p.Name}\"").ToList();
                        var takes = known.Count == 0 ? "it takes no fields" : $"it takes {string.Join(", ", known)}";
                        var where = path.Count == 0 ? "this request" : $"\"{QueryRules.Shown(Field(path))}\"";
                        return Malformed(field, $"\"{QueryRules.Shown(field)}\" is not a field of {where}: {takes} (see /api/v1/openapi.json).");
                    }

                    if (UnknownOrRepeated(property.Value, member.PropertyType, options, [.. path, property.Name]) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            }

            case JsonValueKind.Object when info.Kind == JsonTypeInfoKind.Dictionary && info.ElementType is { } valueType:
            {
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var field = Field([.. path, property.Name]);
                    if (!keys.Add(property.Name))
                    {
                        return Malformed(field, $"\"{QueryRules.Shown(field)}\" is given more than once: send each key once.");
                    }

                    if (UnknownOrRepeated(property.Value, valueType, options, [.. path, property.Name]) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            }

            case JsonValueKind.Array when info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } itemType:
            {
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (UnknownOrRepeated(item, itemType, options, [.. path, $"[{index++}]"]) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            }

            default:
                return null;
        }
    }

    /// <summary>A body is there: a length above zero, or one sent without a length (chunked).</summary>
    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>
    /// The refusal of a body that does not say it is JSON (<c>415 unsupported-media-type</c>): a body sent as
    /// <c>text/plain</c>, a form, or with no <c>Content-Type</c> at all is not read as JSON on a guess. JSON is
    /// <c>application/json</c> or <c>application/*+json</c>, in UTF-8 (a <c>charset</c>, when given, is <c>utf-8</c>).
    /// </summary>
    internal static ProblemHttpResult? NotJson(string? contentType)
    {
        const string Expected = "send it as JSON with Content-Type: application/json (application/json; charset=utf-8 and application/*+json are read too).";
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return UnsupportedMediaType($"The body has no Content-Type: {Expected}");
        }

        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return UnsupportedMediaType($"The body's Content-Type (\"{QueryRules.Shown(contentType)}\") cannot be read: {Expected}");
        }

        var type = media.MediaType.Value ?? "";
        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        if (!json)
        {
            return UnsupportedMediaType($"The body is sent as {QueryRules.Shown(type)}: {Expected}");
        }

        var charset = media.Charset.Value;
        return string.IsNullOrEmpty(charset) || charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : UnsupportedMediaType($"The body is sent in {QueryRules.Shown(charset)}: JSON is read as UTF-8; {Expected}");
    }

    private static ProblemHttpResult UnsupportedMediaType(string message) =>
        ApiErrors.Problem(ApiErrors.UnsupportedMediaType, message, errors: [new ValidationError("", ApiErrors.UnsupportedMediaType.Code, message)]);

    /// <summary>A malformed body: the message as <c>detail</c> and, with the field it is about, as the one error.</summary>
    private static ProblemHttpResult Malformed(string field, string message) =>
        ApiErrors.Problem(ApiErrors.MalformedRequest, message, errors: [new ValidationError(field, ApiErrors.MalformedRequest.Code, message)]);

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The field a deserialisation error is about (from its JSON path) and what that field takes, found by walking the
    /// request record's JSON contract along the path. A converter's own words (<see cref="JsonValueException"/>: a date it
    /// cannot read, say) are kept; the serializer's are not, since they name .NET types.
    /// </summary>
    internal static (string Field, string Message) Describe(JsonException exception, Type root, JsonSerializerOptions options, JsonElement? body = null)
    {
        var segments = Segments(exception.Path);
        var field = Field(segments);
        if (exception is JsonValueException)
        {
            return (field, field.Length == 0 ? exception.Message : $"\"{field}\": {exception.Message}");
        }

        var type = TypeAt(root, segments, options);
        if (type is null)
        {
            return (field, field.Length == 0
                ? "The body does not have the shape this operation takes (see /api/v1/openapi.json)."
                : $"\"{field}\" does not have the shape this operation takes (see /api/v1/openapi.json).");
        }

        if (body is { } json && ValueAt(json, segments, options) is { ValueKind: JsonValueKind.Number } number && OutOfRange(number.GetRawText(), type) is { } range)
        {
            var name = field.Length == 0 ? "The body" : $"\"{field}\"";
            return (field, $"{name} is out of range: {QueryRules.Shown(number.GetRawText())} is not {range}.");
        }

        var allowed = BadRequests.Allowed(type, options);
        return (field, field.Length == 0 ? $"The body must be {allowed}." : $"\"{field}\" must be {allowed}.");
    }

    /// <summary>
    /// What a numeric field takes, when a JSON number is a number all right but too large (or small) for it
    /// (<c>99999999999999999999</c>, <c>1e308</c> for a whole number): "a whole number from … to …". Null when the number
    /// is in range, or is not a whole number where one is taken (<c>1.5</c>: then the field's kind is the message).
    /// </summary>
    internal static string? OutOfRange(string raw, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        (decimal Min, decimal Max, bool Whole)? limits = type switch
        {
            _ when type == typeof(int) => (int.MinValue, int.MaxValue, true),
            _ when type == typeof(long) => (long.MinValue, long.MaxValue, true),
            _ when type == typeof(short) => (short.MinValue, short.MaxValue, true),
            _ when type == typeof(sbyte) => (sbyte.MinValue, sbyte.MaxValue, true),
            _ when type == typeof(byte) => (byte.MinValue, byte.MaxValue, true),
            _ when type == typeof(ushort) => (ushort.MinValue, ushort.MaxValue, true),
            _ when type == typeof(uint) => (uint.MinValue, uint.MaxValue, true),
            _ when type == typeof(ulong) => (ulong.MinValue, ulong.MaxValue, true),
            _ when type == typeof(decimal) => (decimal.MinValue, decimal.MaxValue, false),
            _ => null,
        };
        if (limits is null)
        {
            return null;
        }

        var (min, max, whole) = limits.Value;

        // A number decimal cannot hold (beyond ±7.9e28, such as 1e308) is beyond every range here; one it holds is out of
        // range only past the type's limits (1.5 for a whole number is in range, and told it must be a whole number).
        if (decimal.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return null;
        }

        var from = min.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var to = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return whole ? $"a whole number from {from} to {to}" : $"a number from {from} to {to}";
    }

    /// <summary>The JSON value at the path of a deserialisation error, or null where the body has none.</summary>
    private static JsonElement? ValueAt(JsonElement element, List<string> segments, JsonSerializerOptions options)
    {
        foreach (var segment in segments)
        {
            if (segment.StartsWith('[') && element.ValueKind == JsonValueKind.Array
                && int.TryParse(segment.AsSpan(1, segment.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                && index < element.GetArrayLength())
            {
                element = element[index];
            }
            else if (!segment.StartsWith('[') && element.ValueKind == JsonValueKind.Object
                && element.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, segment,
                    options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)) is { Value.ValueKind: not JsonValueKind.Undefined } property)
            {
                element = property.Value;
            }
            else
            {
                return null;
            }
        }

        return element;
    }

    /// <summary>A JSON path (<c>$.lines[0].choices</c>, <c>$['a b']</c>) as its property names and indexes (<c>[0]</c>).</summary>
    private static List<string> Segments(string? path)
    {
        var segments = new List<string>();
        if (string.IsNullOrEmpty(path))
        {
            return segments;
        }

        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 2)..end]);
                i = Math.Min(path.Length, end + 2);
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                end = end < 0 ? path.Length - 1 : end;
                segments.Add(path[i..(end + 1)]);
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return segments;
    }

    private static string Field(List<string> segments)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in segments)
        {
            if (!segment.StartsWith('[') && text.Length > 0)
            {
                text.Append('.');
            }

            text.Append(segment);
        }

        return text.ToString();
    }

    private static string Field(string path) => Field(Segments(path));

    /// <summary>The declared type at the path in the request record, or null where the contract does not say.</summary>
    private static Type? TypeAt(Type root, List<string> segments, JsonSerializerOptions options)
    {
        Type? type = root;
        foreach (var segment in segments)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            var info = options.GetTypeInfo(type);
            type = info.Kind switch
            {
                JsonTypeInfoKind.Object when !segment.StartsWith('[') => info.Properties.FirstOrDefault(p => string.Equals(p.Name, segment,
                    options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))?.PropertyType,
                JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary => info.ElementType,
                _ => null,
            };
            if (type is null)
            {
                return null;
            }
        }

        return type;
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

/// <summary>
/// A JSON value a converter of ours cannot read, in words meant for the caller ("'2024-13-01' is not a date ..."): the
/// body reader shows it with the field it is about, where the serializer's own messages (which name .NET types) are not shown.
/// </summary>
public sealed class JsonValueException(string message) : JsonException(message);
