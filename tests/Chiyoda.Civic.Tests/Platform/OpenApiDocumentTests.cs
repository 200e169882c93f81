using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Platform;

/// <summary>
/// The checked-in OpenAPI document (docs/api/openapi-v1.json), from which the client of the replay tool and the load
/// generator is generated at build time, is the one the platform serves: an API change that is not regenerated fails
/// here, and a caller that no longer matches the regenerated document fails to build.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class OpenApiDocumentTests(PlatformFixture platform)
{
    /// <summary>Set to 1, the test writes the served document to the checked-in file instead of comparing (tools/update-openapi.sh).</summary>
    public const string UpdateVariable = "CIVIC_UPDATE_OPENAPI";

    public const string RegenerateCommand = "tools/update-openapi.sh";

    /// <summary>The addresses the document holds as run.sh serves it; the test platform's own ports are replaced by them.</summary>
    private const string CheckedInWeb = "http://localhost:5000";
    private const string CheckedInIdentityProvider = "http://localhost:5100";

    public static string CheckedInPath { get; } = Path.Combine(Repository.Root, "docs", "api", "openapi-v1.json");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task The_served_document_is_the_checked_in_one_the_client_is_generated_from()
    {
        using var anonymous = await platform.ApiClientAsync();
        using var response = await anonymous.GetAsync("/api/v1/openapi.json");
        Assert.True(response.IsSuccessStatusCode, $"GET /api/v1/openapi.json: {(int)response.StatusCode}");
        var served = Normalise(await response.Content.ReadAsStringAsync());

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CheckedInPath)!);
            await File.WriteAllTextAsync(CheckedInPath, served.ToJsonString(Indented) + "\n");
        }

        Assert.True(File.Exists(CheckedInPath), $"{CheckedInPath} is missing. Regenerate it with: {RegenerateCommand}");
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(CheckedInPath))!;

        var differences = new List<string>();
        OpenApiDocumentDiff.Compare("", OpenApiDocumentDiff.Sorted(checkedIn), OpenApiDocumentDiff.Sorted(served), differences);
        Assert.True(differences.Count == 0,
            $"The served OpenAPI document differs from docs/api/openapi-v1.json in {differences.Count} place(s) "
            + $"(checked in → served):\n  {string.Join("\n  ", differences.Take(20))}\n"
            + $"Regenerate the document (and so the client) with: {RegenerateCommand}");
    }

    /// <summary>
    /// Every time in the contract is typed: a "date-time" format without "type": "string" made a generated client
    /// (openapi-typescript, from an outside check) type all 49 of them as unknown and accept a number for a date.
    /// </summary>
    [Fact]
    public async Task Every_time_in_the_document_is_a_string()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(CheckedInPath))!;
        var untyped = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["format"]?.GetValue<string>() == "date-time" && !(o["type"]?.ToJsonString().Contains("\"string\"", StringComparison.Ordinal) ?? false))
                    {
                        untyped.Add(path);
                    }

                    foreach (var (key, value) in o)
                    {
                        Walk(value, $"{path}/{key}");
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        Walk(a[i], $"{path}/{i}");
                    }

                    break;
            }
        }

        Walk(document, "");
        Assert.True(untyped.Count == 0, "date-time without type string at:\n" + string.Join("\n", untyped.Take(20)));
        Assert.Contains("\"format\": \"date-time\"", document.ToJsonString(Indented), StringComparison.Ordinal);
    }

    /// <summary>
    /// Every answer with a body names its media type and schema: a download described only as "OK" left a generated
    /// client without a way to read it (Kiota made such an operation return nothing).
    /// </summary>
    [Fact]
    public async Task Every_answer_with_a_body_names_its_media_type()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(CheckedInPath))!;
        var bare = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                foreach (var (status, response) in operation!["responses"]!.AsObject().Where(r => r.Key[0] == '2' && r.Key != "204"))
                {
                    if (response!["content"] is not JsonObject { Count: > 0 } content || content.Any(m => m.Value?["schema"] is null))
                    {
                        bare.Add($"{method.ToUpperInvariant()} {path} {status}");
                    }
                }
            }
        }

        Assert.True(bare.Count == 0, "answers without a media type and schema:\n" + string.Join("\n", bare));
    }

    /// <summary>
    /// Every file served through Files.Download says what it carries (ETag, Last-Modified, Repr-Digest) and that it
    /// answers If-None-Match with 304; the served headers are checked against this in OpenApiContractTests.
    /// </summary>
    [Fact]
    public async Task Every_download_lists_its_validators_digest_and_304()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(CheckedInPath))!;
        string[] downloads =
        [
            "/api/v1/rounds/{roundId}/audit.csv", "/api/v1/statistics.json", "/api/v1/statistics.csv", "/api/v1/proposals.json", "/api/v1/proposals.csv",
            "/api/v1/rounds/{roundId}/results", "/api/v1/rounds/{roundId}/results.csv", "/api/v1/rounds/{roundId}/ballots.csv",
            "/api/v1/rounds/{roundId}/ballots.pb", "/api/v1/rounds/{roundId}/calendar.ics", "/api/v1/rounds/{roundId}/proposals.json",
            "/api/v1/rounds/{roundId}/proposals.csv", "/api/v1/implementation/records.json", "/api/v1/implementation/records.csv",
        ];
        foreach (var path in downloads)
        {
            var operation = document["paths"]![path]!["get"]!;
            var ok = operation["responses"]!["200"]!;
            Assert.Equal(["ETag", "Cache-Control", "Last-Modified", "Repr-Digest"], ok["headers"]!.AsObject().Select(h => h.Key));
            Assert.Equal(["ETag", "Cache-Control", "Last-Modified"], operation["responses"]!["304"]!["headers"]!.AsObject().Select(h => h.Key));
            Assert.Equal(["If-None-Match", "If-Modified-Since"],
                operation["parameters"]!.AsArray().Where(p => p!["in"]!.GetValue<string>() == "header").Select(p => p!["name"]!.GetValue<string>()));
        }

        Assert.Equal("text/calendar", document["paths"]!["/api/v1/rounds/{roundId}/calendar.ics"]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Single().Key);
        Assert.Equal("#/components/schemas/ResultsDocument",
            document["paths"]!["/api/v1/rounds/{roundId}/results"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        // results.json writes "auditLog": null until the audit log has a head (its bytes are covered by published digests).
        var results = document["components"]!["schemas"]!["ResultsDocument"]!;
        Assert.Contains("null", results["properties"]!["auditLog"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.DoesNotContain("auditLog", results["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    /// <summary>
    /// A null member is left out of an answer (WhenWritingNull), so no schema only answers use requires a member that
    /// may be null; a schema requests use keeps what a request must send (StatusRequest: requestId, status, date).
    /// </summary>
    [Fact]
    public async Task Answers_require_no_member_that_may_be_null_and_requests_keep_their_required_members()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(CheckedInPath))!;
        var schemas = document["components"]!["schemas"]!.AsObject();
        var requests = new HashSet<string>();
        var answers = new HashSet<string>();
        void Reach(JsonNode? node, HashSet<string> reached)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["$ref"]?.GetValue<string>() is { } reference && reference.Split('/')[^1] is var name && reached.Add(name))
                    {
                        Reach(schemas[name], reached);
                    }

                    foreach (var (_, value) in o)
                    {
                        Reach(value, reached);
                    }

                    break;
                case JsonArray a:
                    foreach (var value in a)
                    {
                        Reach(value, reached);
                    }

                    break;
            }
        }

        foreach (var operation in document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => m.Value!)))
        {
            Reach(operation["requestBody"], requests);
            Reach(operation["parameters"], requests);
            Reach(operation["responses"], answers);
        }

        static bool MayBeNull(JsonNode? schema) =>
            schema?["type"] is JsonArray types ? types.Any(t => t!.GetValue<string>() == "null")
            : schema?["oneOf"] is JsonArray one && one.Any(o => o?["type"]?.ToJsonString() == "\"null\"");
        var wrong = new List<string>();
        void Check(string at, JsonNode? schema)
        {
            if (schema is not JsonObject o)
            {
                return;
            }

            foreach (var required in (o["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
            {
                if (MayBeNull(o["properties"]?[required]))
                {
                    wrong.Add($"{at}: {required}");
                }
            }

            foreach (var (key, value) in o["properties"] as JsonObject ?? [])
            {
                Check($"{at}.{key}", value);
            }

            Check($"{at}[]", o["items"]);
        }

        Assert.Contains("PublicSummary", answers);
        foreach (var name in answers.Except(requests))
        {
            Check(name, schemas[name]);
        }

        Assert.True(wrong.Count == 0, "answers' schemas require members that may be null (and are then left out):\n" + string.Join("\n", wrong));
        Assert.Equal(["requestId", "status", "date"], schemas["StatusRequest"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    /// <summary>The register upload says its format, and a resolution's choice lists its words.</summary>
    [Fact]
    public async Task The_register_file_format_and_the_resolution_choices_are_in_the_document()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(CheckedInPath))!;
        var register = document["paths"]!["/api/v1/rounds/{roundId}/register"]!["post"]!;
        Assert.Contains("`voter_key,name_kana,birthdate,postcode`", register["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("voter_key,name_kana,birthdate,postcode", register["requestBody"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("text/csv", register["requestBody"]!["content"]!.AsObject().Single().Key);
        Assert.Equal(["first", "second", "rekey"],
            document["components"]!["schemas"]!["ResolutionRequest"]!["properties"]!["choice"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    /// <summary>
    /// The API reference page (Scalar) is served in development over the same document, and every script it loads comes
    /// from the platform itself (the page runs offline, and the site's policy forbids other origins); production does not
    /// map it (Deploy/ProductionStartTests).
    /// </summary>
    [Fact]
    public async Task The_api_reference_page_is_served_in_development_over_the_served_document()
    {
        using var anonymous = await platform.ApiClientAsync();
        using var page = await anonymous.GetAsync("/scalar/v1");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.IsSuccessStatusCode, $"GET /scalar/v1: {(int)page.StatusCode}");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        // Scalar names the document relative to the application's base ("api/v1/openapi.json").
        Assert.True(html.Contains("\"api/v1/openapi.json\"", StringComparison.Ordinal), "the page does not name the platform's document:\n" + html);

        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*\\ssrc=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(scripts.Count > 0, "no script on the page:\n" + html);
        foreach (var script in scripts)
        {
            var url = new Uri(new Uri(platform.Web, "/scalar/v1"), script);
            Assert.Equal(platform.Web.Authority, url.Authority);
            using var asset = await anonymous.GetAsync(url);
            Assert.True(asset.IsSuccessStatusCode, $"{url}: {(int)asset.StatusCode}");
        }

        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self' 'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);

        // The relaxed policy is the reference page's alone.
        using var home = await anonymous.GetAsync("/");
        var homePolicies = home.Headers.GetValues("Content-Security-Policy").ToList();
        Assert.NotEmpty(homePolicies);
        Assert.Contains(homePolicies, p => p.Contains("script-src 'self';", StringComparison.Ordinal));
        Assert.DoesNotContain(homePolicies, p => p.Contains("script-src 'self' 'unsafe-inline'", StringComparison.Ordinal));
    }

    /// <summary>The served text with the test platform's addresses replaced by run.sh's, as a JSON tree.</summary>
    private JsonNode Normalise(string document) =>
        JsonNode.Parse(document
            .Replace(platform.Web.ToString().TrimEnd('/'), CheckedInWeb, StringComparison.Ordinal)
            .Replace(platform.IdentityProvider.ToString().TrimEnd('/'), CheckedInIdentityProvider, StringComparison.Ordinal))!;
}

/// <summary>Two OpenAPI documents compared as JSON: object members in any order, every difference by its JSON pointer.</summary>
public static class OpenApiDocumentDiff
{
    /// <summary>Object members in ordinal order at every level (array order is kept: it is meaningful in OpenAPI).</summary>
    public static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        null => null,
        _ => node.DeepClone(),
    };

    public static void Compare(string pointer, JsonNode? expected, JsonNode? actual, List<string> differences)
    {
        if (expected is JsonObject e && actual is JsonObject a)
        {
            foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                var path = $"{pointer}/{key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";
                if (!e.ContainsKey(key) || !a.ContainsKey(key))
                {
                    differences.Add($"{path}: {Text(e.ContainsKey(key), e[key])} → {Text(a.ContainsKey(key), a[key])}");
                }
                else
                {
                    Compare(path, e[key], a[key], differences);
                }
            }
        }
        else if (expected is JsonArray ea && actual is JsonArray aa && ea.Count == aa.Count)
        {
            for (var i = 0; i < ea.Count; i++)
            {
                Compare($"{pointer}/{i}", ea[i], aa[i], differences);
            }
        }
        else if (!JsonNode.DeepEquals(expected, actual))
        {
            differences.Add($"{pointer}: {Text(true, expected)} → {Text(true, actual)}");
        }
    }

    private static string Text(bool present, JsonNode? node)
    {
        if (!present)
        {
            return "(absent)";
        }

        var text = node?.ToJsonString() ?? "null";
        return text.Length > 120 ? text[..117] + "..." : text;
    }
}

[Trait(Tier.Name, Tier.Unit)]
public sealed class OpenApiDocumentDiffTests
{
    [Fact]
    public void The_comparison_finds_a_changed_field_and_ignores_key_order()
    {
        var a = JsonNode.Parse("""{"paths":{"/a":{"get":{"operationId":"x","summary":"S"}}},"info":{"title":"T"}}""")!;
        var sameReordered = JsonNode.Parse("""{"info":{"title":"T"},"paths":{"/a":{"get":{"summary":"S","operationId":"x"}}}}""")!;
        var changed = JsonNode.Parse("""{"info":{"title":"T"},"paths":{"/a":{"get":{"summary":"S","operationId":"y"}},"/b":{}}}""")!;

        var none = new List<string>();
        OpenApiDocumentDiff.Compare("", OpenApiDocumentDiff.Sorted(a), OpenApiDocumentDiff.Sorted(sameReordered), none);
        Assert.Empty(none);

        var some = new List<string>();
        OpenApiDocumentDiff.Compare("", OpenApiDocumentDiff.Sorted(a), OpenApiDocumentDiff.Sorted(changed), some);
        Assert.Equal(["/paths/~1a/get/operationId: \"x\" → \"y\"", "/paths/~1b: (absent) → {}"], some);
    }
}
