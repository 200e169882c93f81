using System.Text.Json;

namespace Chiyoda.Civic.Tests.Platform;

/// <summary>
/// Whether a JSON answer fits a schema of an OpenAPI 3.1 document: the keywords the platform's document uses ($ref,
/// oneOf, anyOf, allOf, type, enum, required, properties, items), enough to catch an answer a generated client would
/// refuse (a required member missing, a member of another type) without a full JSON Schema validator.
/// </summary>
public static class OpenApiSchemaCheck
{
    public static List<string> Errors(JsonElement document, JsonElement schema, JsonElement value, string at = "$")
    {
        var errors = new List<string>();
        Check(document, schema, value, at, errors);
        return errors;
    }

    private static void Check(JsonElement document, JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            Check(document, Resolve(document, reference.GetString()!), value, at, errors);
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var all in allOf.EnumerateArray())
            {
                Check(document, all, value, at, errors);
            }
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var fits = oneOf.EnumerateArray().Count(s => Errors(document, s, value, at).Count == 0);
            if (fits != 1)
            {
                errors.Add($"{at}: fits {fits} of the oneOf schemas, not exactly one");
            }
        }

        if (schema.TryGetProperty("anyOf", out var anyOf) && !anyOf.EnumerateArray().Any(s => Errors(document, s, value, at).Count == 0))
        {
            errors.Add($"{at}: fits none of the anyOf schemas ({string.Join("; ", anyOf.EnumerateArray().SelectMany(s => Errors(document, s, value, at)).Take(6))})");
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!types.Any(t => Fits(t, value)))
            {
                errors.Add($"{at}: {value.ValueKind} where the schema says {string.Join(" or ", types)}");
                return;
            }
        }

        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)))
        {
            errors.Add($"{at}: {value.GetRawText()} is not one of {values.GetRawText()}");
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in schema.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!) : [])
            {
                if (!value.TryGetProperty(name, out _))
                {
                    errors.Add($"{at}: required member {name} is missing");
                }
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var member in value.EnumerateObject())
                {
                    if (properties.TryGetProperty(member.Name, out var property))
                    {
                        Check(document, property, member.Value, $"{at}.{member.Name}", errors);
                    }
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(document, items, item, $"{at}[{i++}]", errors);
            }
        }
    }

    private static bool Fits(string type, JsonElement value) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };

    /// <summary>A local reference (#/components/schemas/Name).</summary>
    private static JsonElement Resolve(JsonElement document, string reference)
    {
        var node = document;
        foreach (var part in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return node;
    }
}

[Trait(Tier.Name, Tier.Unit)]
public sealed class OpenApiSchemaCheckTests
{
    [Fact]
    public void A_missing_required_member_a_wrong_type_and_a_value_fitting_both_of_a_oneOf_are_found()
    {
        using var document = JsonDocument.Parse("""
            {"components":{"schemas":{
              "Narrow":{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"n":{"type":["null","integer"]}}},
              "Wide":{"type":"object","required":["id","author"],"properties":{"id":{"type":"string"},"author":{"type":"string"}}}}}}
            """);
        var root = document.RootElement;
        static JsonElement Json(string text) => JsonSerializer.Deserialize<JsonElement>(text);
        var narrow = Json("""{"$ref":"#/components/schemas/Narrow"}""");
        var wide = Json("""{"$ref":"#/components/schemas/Wide"}""");

        Assert.Empty(OpenApiSchemaCheck.Errors(root, narrow, Json("""{"id":"a","n":null}""")));
        Assert.Equal(["$: required member author is missing"], OpenApiSchemaCheck.Errors(root, wide, Json("""{"id":"a"}""")));
        Assert.Equal(["$.n: String where the schema says null or integer"], OpenApiSchemaCheck.Errors(root, narrow, Json("""{"id":"a","n":"1"}""")));
        var both = Json("""{"oneOf":[{"$ref":"#/components/schemas/Narrow"},{"$ref":"#/components/schemas/Wide"}]}""");
        Assert.Single(OpenApiSchemaCheck.Errors(root, both, Json("""{"id":"a","author":"b"}""")));
        var any = Json("""{"anyOf":[{"$ref":"#/components/schemas/Narrow"},{"$ref":"#/components/schemas/Wide"}]}""");
        Assert.Empty(OpenApiSchemaCheck.Errors(root, any, Json("""{"id":"a","author":"b"}""")));
    }
}
