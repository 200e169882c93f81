using System.Net.Http.Json;
using System.Text.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Platform;

/// <summary>
/// The OpenAPI document at /api/v1/openapi.json is a contract clients can be generated from: Redocly CLI's recommended
/// rules find no error in it, every operation says who may call it, and every refusal the API gives is described with
/// its code under its status.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class OpenApiContractTests(PlatformFixture platform)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head"];

    [Fact]
    public async Task Redocly_recommended_rules_find_no_error_in_the_served_document()
    {
        using var anonymous = await platform.ApiClientAsync();
        var document = await (await anonymous.GetAsync("/api/v1/openapi.json")).Content.ReadAsStringAsync();

        var problems = await OpenApiLint.LintAsync(document);

        var errors = problems.Where(p => p.Severity == "error").ToList();
        Assert.True(errors.Count == 0, "Redocly (recommended) errors:\n" + string.Join("\n", errors.Select(e => $"{e.RuleId} at {e.Pointer}: {e.Message}")));
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_security_and_problem_details_for_its_errors()
    {
        var document = await DocumentAsync();
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("http", schemes.GetProperty("bearer").GetProperty("type").GetString());
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal("openIdConnect", schemes.GetProperty("oidc").GetProperty("type").GetString());
        Assert.EndsWith("/.well-known/openid-configuration", schemes.GetProperty("oidc").GetProperty("openIdConnectUrl").GetString());

        var operations = Operations(document).ToList();
        Assert.True(operations.Count > 50, $"only {operations.Count} operations");
        var ids = new HashSet<string>();
        foreach (var (path, method, operation) in operations)
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            Assert.True(ids.Add(operation.GetProperty("operationId").GetString()!), $"{where}: operation id repeated");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{where}: no summary");
            Assert.True(operation.TryGetProperty("security", out var security) && security.GetArrayLength() > 0, $"{where}: no security");
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                // A shared response (414, 431) is a reference to components.responses: what it refers to is what is answered.
                var answer = response.Value.TryGetProperty("$ref", out var reference)
                    ? document.GetProperty("components").GetProperty("responses").GetProperty(reference.GetString()!.Split('/')[^1])
                    : response.Value;
                Assert.True(answer.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _),
                    $"{where} {response.Name}: not problem details");
            }
        }
    }

    [Fact]
    public async Task Protected_operations_name_both_schemes_and_their_refusals_public_ones_need_no_credentials()
    {
        var document = await DocumentAsync();
        var create = Operation(document, "/api/v1/rounds/{roundId}", "post");
        var security = create.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToList();
        Assert.Equal(["bearer", "oidc"], security);
        Assert.Contains("unauthenticated", Codes(create, "401"));
        Assert.Contains("insufficient-scope", Codes(create, "403"));
        Assert.Equal(["malformed-request", "invalid-round-id", "invalid-round", "invalid-address"], Codes(create, "400"));
        Assert.Equal(["round-exists"], Codes(create, "409"));
        Assert.Equal("#/components/schemas/RoundRequest",
            create.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/RoundResponse",
            create.GetProperty("responses").GetProperty("201").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());

        var list = Operation(document, "/api/v1/rounds", "get");
        Assert.Equal(JsonValueKind.Object, list.GetProperty("security")[0].ValueKind);
        Assert.Empty(list.GetProperty("security")[0].EnumerateObject());
    }

    [Fact]
    public async Task A_ballot_takes_an_idempotency_key_and_its_retryable_refusals_carry_retry_after()
    {
        var document = await DocumentAsync();
        var cast = Operation(document, "/api/v1/rounds/{roundId}/ballot", "put");

        var key = cast.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.Equal("header", key.GetProperty("in").GetString());
        Assert.True(key.GetProperty("required").GetBoolean());
        Assert.Contains("missing-idempotency-key", Codes(cast, "400"));
        Assert.Equal(["idempotency-key-reused"], Codes(cast, "422"));
        Assert.Equal(["rate-limited"], Codes(cast, "429"));
        Assert.Equal(["ballot-not-stored"], Codes(cast, "503"));
        foreach (var status in new[] { "429", "503" })
        {
            Assert.True(cast.GetProperty("responses").GetProperty(status).GetProperty("headers").TryGetProperty("Retry-After", out _), $"{status} without Retry-After");
        }

        Assert.Equal("#/components/schemas/BallotRequest",
            cast.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
    }

    [Fact]
    public async Task The_refusals_the_api_gives_are_the_ones_the_document_lists()
    {
        var document = await DocumentAsync();
        using var anonymous = await platform.ApiClientAsync();
        using var voter = await platform.ApiClientAsync("resident-45");

        var unknown = await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/rounds/no-such-round"), 404, "round-not-found");
        Assert.Contains(unknown.GetProperty("code").GetString(), Codes(Operation(document, "/api/v1/rounds/{roundId}", "get"), "404"));

        var noKey = await HttpAssertions.ProblemAsync(await voter.PutAsJsonAsync("/api/v1/rounds/demo-2024/ballot", new { choices = new[] { 1 } }), 400, "missing-idempotency-key");
        Assert.Contains(noKey.GetProperty("code").GetString(), Codes(Operation(document, "/api/v1/rounds/{roundId}/ballot", "put"), "400"));

        using var notJson = new StringContent("{\"choices\": [1,", System.Text.Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/rounds/demo-2024/ballot") { Content = notJson };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var malformed = await HttpAssertions.ProblemAsync(await voter.SendAsync(request), 400, "malformed-request");
        Assert.Contains(malformed.GetProperty("code").GetString(), Codes(Operation(document, "/api/v1/rounds/{roundId}/ballot", "put"), "400"));
    }

    [Fact]
    public async Task An_unknown_round_is_round_not_found_on_every_round_scoped_route_and_the_document_says_so()
    {
        var document = await DocumentAsync();
        var missing = Operations(document)
            .Where(o => o.Path.Contains("{roundId}", StringComparison.Ordinal) && !(o.Path == "/api/v1/rounds/{roundId}" && o.Method == "post"))
            .Where(o => !o.Operation.GetProperty("responses").TryGetProperty("404", out _) || !Codes(o.Operation, "404").Contains("round-not-found"))
            .Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}").ToList();
        Assert.True(missing.Count == 0, "round-not-found not listed:\n" + string.Join("\n", missing));

        var unknown = "no-such-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var (account, path) in new[]
                 {
                     ("resident-45", $"/api/v1/rounds/{unknown}/ballot"),
                     ("resident-45", $"/api/v1/rounds/{unknown}/proposals/p-1"),
                     ("clerk", $"/api/v1/rounds/{unknown}/paper-batches"),
                     ("clerk", $"/api/v1/rounds/{unknown}/paper-batches/b-1"),
                     ("screener", $"/api/v1/rounds/{unknown}/screening/queue"),
                     ("screener", $"/api/v1/rounds/{unknown}/proposals/p-1/reviews"),
                     ("admin", $"/api/v1/rounds/{unknown}/turnout"),
                     ("admin", $"/api/v1/rounds/{unknown}/audit.csv"),
                     ("admin", $"/api/v1/rounds/{unknown}/screening/assignments"),
                     ("admin", $"/api/v1/rounds/{unknown}/counting"),
                 })
        {
            using var client = await platform.ApiClientAsync(account);
            await HttpAssertions.ProblemAsync(await client.GetAsync(path), 404, "round-not-found");
        }

        // A write too, whatever its body: the round is looked up first.
        using var voter = await platform.ApiClientAsync("resident-45");
        await HttpAssertions.ProblemAsync(await voter.PutAsJsonAsync($"/api/v1/rounds/{unknown}/ballot", new { choices = new[] { 1 } }), 404, "round-not-found");
    }

    [Fact]
    public async Task Marking_an_unknown_notice_read_is_notice_not_found_as_documented()
    {
        var document = await DocumentAsync();
        Assert.Equal(["notice-not-found", "not-found"], Codes(Operation(document, "/api/v1/inbox/{noticeId}/read", "post"), "404"));

        using var resident = await platform.ApiClientAsync("resident-80");
        await HttpAssertions.ProblemAsync(await resident.PostAsync("/api/v1/inbox/no-such-notice/read", null), 404, "notice-not-found");
    }

    /// <summary>
    /// What an anonymous caller gets (the public list; a proposal without its proposer) fits the served document. The
    /// proposal's answer is one of two views: the public one leaves out authorSub and the rest the proposer's view requires,
    /// which a generated client reading it as that view refused.
    /// </summary>
    [Fact]
    public async Task The_anonymous_proposal_list_and_proposals_fit_the_served_document()
    {
        var document = await DocumentAsync();
        using var anonymous = await platform.ApiClientAsync();
        var list = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024/proposals?take=200"), 200);
        var listErrors = OpenApiSchemaCheck.Errors(document, JsonSchema(Operation(document, "/api/v1/rounds/{roundId}/proposals", "get"), "200"), list);
        Assert.True(listErrors.Count == 0, "the public list does not fit its schema:\n" + string.Join("\n", listErrors.Take(20)));

        var ids = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("proposalId").GetString()!).ToList();
        Assert.NotEmpty(ids);
        var get = JsonSchema(Operation(document, "/api/v1/rounds/{roundId}/proposals/{proposalId}", "get"), "200");
        foreach (var id in ids.Take(5))
        {
            var proposal = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/demo-2024/proposals/{id}"), 200);
            var errors = OpenApiSchemaCheck.Errors(document, get, proposal);
            Assert.True(errors.Count == 0, $"proposal {id} as the public sees it does not fit its schema:\n" + string.Join("\n", errors.Take(20)));
            Assert.Empty(OpenApiSchemaCheck.Errors(document, Reference("PublicProposal"), proposal));
            Assert.Contains("$: required member authorSub is missing", OpenApiSchemaCheck.Errors(document, Reference("ProposalView"), proposal));
        }
    }

    /// <summary>
    /// The results JSON fits the served document both before the audit log has a head (a certified count the administrator
    /// previews: <c>"auditLog": null</c>, written as such, since published digests cover the file's bytes) and once published.
    /// </summary>
    [Fact]
    public async Task The_results_json_fits_the_served_document_with_and_without_an_audit_log()
    {
        var document = await DocumentAsync();
        var schema = JsonSchema(Operation(document, "/api/v1/rounds/{roundId}/results", "get"), "200");
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PaperApi.CertifiedRoundAsync(platform, admin, "oa", "文書の検査");
        var preview = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        Assert.Equal(JsonValueKind.Null, preview.GetProperty("auditLog").ValueKind);
        var errors = OpenApiSchemaCheck.Errors(document, schema, preview);
        Assert.True(errors.Count == 0, "the results preview (auditLog: null) does not fit its schema:\n" + string.Join("\n", errors.Take(20)));

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);
        using var anonymous = await platform.ApiClientAsync();
        var published = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        Assert.Equal(JsonValueKind.Object, published.GetProperty("auditLog").ValueKind);
        errors = OpenApiSchemaCheck.Errors(document, schema, published);
        Assert.True(errors.Count == 0, "the published results do not fit their schema:\n" + string.Join("\n", errors.Take(20)));
    }

    /// <summary>A download answers with every header its operation's 200 and 304 list, and 304 to its own ETag, as the document says.</summary>
    [Theory]
    [InlineData("/api/v1/statistics.csv", "/api/v1/statistics.csv")]
    [InlineData("/api/v1/rounds/demo-2024/calendar.ics", "/api/v1/rounds/{roundId}/calendar.ics")]
    [InlineData("/api/v1/implementation/records.json", "/api/v1/implementation/records.json")]
    public async Task A_download_sends_the_headers_the_document_lists_and_304_to_its_etag(string path, string template)
    {
        var document = await DocumentAsync();
        var operation = Operation(document, template, "get");
        Assert.Contains(operation.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "If-None-Match" && p.GetProperty("in").GetString() == "header");
        static bool Sent(HttpResponseMessage response, string name) =>
            response.Headers.NonValidated.Contains(name) || response.Content.Headers.NonValidated.Contains(name);

        using var anonymous = await platform.ApiClientAsync();
        using var first = await anonymous.GetAsync(path);
        Assert.Equal(200, (int)first.StatusCode);
        var ok = operation.GetProperty("responses").GetProperty("200");
        Assert.Contains(first.Content.Headers.ContentType!.MediaType!, ok.GetProperty("content").EnumerateObject().Select(c => c.Name));
        foreach (var header in ok.GetProperty("headers").EnumerateObject().Select(h => h.Name))
        {
            Assert.True(Sent(first, header), $"GET {path}: no {header}, which the document lists");
        }

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.Tag);
        using var notModified = await anonymous.SendAsync(again);
        Assert.Equal(304, (int)notModified.StatusCode);
        foreach (var header in operation.GetProperty("responses").GetProperty("304").GetProperty("headers").EnumerateObject().Select(h => h.Name))
        {
            Assert.True(Sent(notModified, header), $"GET {path} (304): no {header}, which the document lists");
        }
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var anonymous = await platform.ApiClientAsync();
        return await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/openapi.json"), 200);
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)).Select(m => (path.Name, m.Name, m.Value)));

    private static JsonElement Operation(JsonElement document, string path, string method) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static JsonElement JsonSchema(JsonElement operation, string status) =>
        operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");

    private static JsonElement Reference(string schema) => JsonSerializer.Deserialize<JsonElement>($$"""{"$ref":"#/components/schemas/{{schema}}"}""");

    private static List<string> Codes(JsonElement operation, string status) =>
        [.. operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/problem+json")
            .GetProperty("schema").GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(c => c.GetString()!)];
}
