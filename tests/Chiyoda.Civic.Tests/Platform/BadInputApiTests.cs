using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Platform;

/// <summary>
/// Bad input anywhere in the API is answered as problem details with a catalogue code and a message in the caller's words:
/// query values that do not convert (<c>invalid-query</c>), control characters in the address (<c>invalid-address</c>), bodies
/// that are not JSON of the shape (<c>malformed-request</c>, naming the field). Never an exception's text, a .NET type or a
/// stack trace. Optional bodies may be left out; refused commands of every capability come out in one shape.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class BadInputApiTests(PlatformFixture platform)
{
    [Theory]
    [InlineData(null, "/api/v1/rounds/demo-2024/proposals?skip=abc", "skip", "a whole number")]
    [InlineData(null, "/api/v1/rounds/demo-2024/proposals?take=99999999999", "take", "a whole number from 1 to 200")]
    [InlineData("screener", "/api/v1/rounds/demo-2024/screening/queue?descending=maybe", "descending", "true or false")]
    [InlineData(null, "/api/v1/implementation?year=R6", "year", "a whole number")]
    [InlineData(null, "/api/v1/rounds/demo-2024/proposals?take=-1", "take", "a whole number from 1 to 200")]
    [InlineData(null, "/api/v1/rounds/demo-2024/proposals?take=0", "take", "a whole number from 1 to 200")]
    [InlineData(null, "/api/v1/rounds/demo-2024/proposals?skip=-5", "skip", "a whole number, 0 or more")]
    [InlineData(null, "/api/v1/rounds/demo-2024/proposals?status=published", "status", "\"in-review\"")]
    [InlineData("screener", "/api/v1/rounds/demo-2024/screening/queue?sort=votes", "sort", "one of \"updated\", \"score\", \"title\", \"ballot-number\"")]
    [InlineData("screener", "/api/v1/rounds/demo-2024/screening/queue?status=InReview", "status", "\"in-review\"")]
    [InlineData("screener", "/api/v1/rounds/demo-2024/screening/queue?take=201", "take", "a whole number from 1 to 200")]
    [InlineData("screener", "/api/v1/rounds/demo-2024/screening/queue?descending=yes", "descending", "true or false")]
    [InlineData("admin", "/api/v1/rounds/demo-2024/audit?take=-3", "take", "a whole number from 1 to 500")]
    public async Task A_query_value_that_does_not_convert_is_invalid_query_naming_the_parameter_and_what_it_takes(string? account, string url, string parameter, string allowed)
    {
        using var client = await platform.ApiClientAsync(account);
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        var problem = await HttpAssertions.ProblemAsync(response, 400, "invalid-query");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"\"{parameter}\"", detail, StringComparison.Ordinal);
        Assert.Contains(allowed, detail, StringComparison.Ordinal);
        Assert.Equal(parameter, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("urn:chiyoda-civic:problem:invalid-query", problem.GetProperty("type").GetString());
        AssertNothingInternal(body);
    }

    [Fact]
    public async Task The_document_lists_invalid_query_for_every_operation_with_query_parameters_and_invalid_address_for_those_with_path_parameters()
    {
        var document = await DocumentAsync();
        var checkedOperations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("responses", out _)))
            {
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var locations = operation.Value.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Select(p => p.GetProperty("in").GetString()).ToHashSet()
                    : [];
                if (locations.Contains("query"))
                {
                    Assert.True(Codes(operation.Value, "400").Contains("invalid-query"), $"{where}: invalid-query not listed");
                    checkedOperations++;
                }

                if (locations.Contains("path"))
                {
                    Assert.True(Codes(operation.Value, "400").Contains("invalid-address"), $"{where}: invalid-address not listed");
                }
            }
        }

        Assert.True(checkedOperations >= 6, $"only {checkedOperations} operations with query parameters");
    }

    [Theory]
    [InlineData("/api/v1/rounds/demo%01/proposals", 0x01)]
    [InlineData("/api/v1/rounds/demo-2024/proposals/p%1F001", 0x1F)]
    [InlineData("/api/v1/rounds%7F", 0x7F)]
    [InlineData("/api/v1/rounds/demo-2024/proposals/p-001%C2%85", 0x85)]
    public async Task A_control_character_in_an_api_address_is_invalid_address_wherever_it_stands(string path, int character)
    {
        using var client = await platform.ApiClientAsync();
        using var response = await client.GetAsync(new Uri(new Uri(platform.Web, path).ToString(), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        var body = await response.Content.ReadAsStringAsync();

        var problem = await HttpAssertions.ProblemAsync(response, 400, "invalid-address");
        Assert.Contains($"U+{character:X4}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        AssertNothingInternal(body);
    }

    /// <summary>
    /// %00 never reaches the platform: Kestrel decodes the request line, refuses a NUL in the path and answers 400 itself
    /// (no application code runs, so no problem details can be written). The status is the one <c>invalid-address</c> has.
    /// </summary>
    [Fact]
    public async Task A_nul_in_the_path_is_refused_by_the_server_itself_with_400()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(platform.Web.Host, platform.Web.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /api/v1/rounds/demo%00 HTTP/1.1\r\nHost: {platform.Web.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync();
        Assert.StartsWith("HTTP/1.1 400", statusLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"rating":"five","source":"results"}""", "rating", "\"rating\" must be a whole number")]
    [InlineData("""{"rating":4,"comment":5,"source":"results"}""", "comment", "\"comment\" must be text")]
    [InlineData("""[1,2]""", "", "The body must be an object")]
    [InlineData("""{"rating":4,""", "", "The body is not valid JSON (line 1")]
    [InlineData("", "", "The body is empty")]
    [InlineData("null", "", "The body is null")]
    public async Task A_malformed_body_is_described_by_the_field_and_what_it_takes(string json, string field, string expected)
    {
        using var resident = await platform.ApiClientAsync("resident-45");
        using var response = await resident.PostAsync("/api/v1/rounds/demo-2024/satisfaction", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        var problem = await HttpAssertions.ProblemAsync(response, 400, "malformed-request");
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        AssertNothingInternal(body);
    }

    [Fact]
    public async Task A_date_an_enum_and_a_list_are_described_in_the_callers_words()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = "bad-body-" + Guid.NewGuid().ToString("N")[..8];
        using var badDate = await admin.PostAsync($"/api/v1/rounds/{roundId}", new StringContent(
            """{"name":"x","schedule":{"callOpens":"2024-13-01","callCloses":"2024-06-30","votingOpens":"2024-08-05","votingCloses":"2024-09-20","resultsDue":"2024-10-01"}}""",
            Encoding.UTF8, "application/json"));
        var dateBody = await badDate.Content.ReadAsStringAsync();
        var date = await HttpAssertions.ProblemAsync(badDate, 400, "malformed-request");
        Assert.Equal("schedule.callOpens", date.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains("'2024-13-01' is not a date", date.GetProperty("detail").GetString(), StringComparison.Ordinal);
        AssertNothingInternal(dateBody);
        Assert.Equal(404, (int)(await admin.GetAsync($"/api/v1/rounds/{roundId}")).StatusCode);

        using var resident = await platform.ApiClientAsync("resident-45");
        using var badRelation = await resident.PostAsync("/api/v1/rounds/demo-2024/proposals", new StringContent("""{"relation": "alien"}""", Encoding.UTF8, "application/json"));
        var relationBody = await badRelation.Content.ReadAsStringAsync();
        var relation = await HttpAssertions.ProblemAsync(badRelation, 400, "malformed-request");
        Assert.Equal("relation", relation.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Matches("^\"relation\" must be one of \"[a-z-]+\"(, \"[a-z-]+\")+\\.$", relation.GetProperty("detail").GetString());
        AssertNothingInternal(relationBody);

        using var badList = await admin.PutAsync($"/api/v1/rounds/demo-2024/screening", new StringContent("""{"stages":{"a":1}}""", Encoding.UTF8, "application/json"));
        var listBody = await badList.Content.ReadAsStringAsync();
        var list = await HttpAssertions.ProblemAsync(badList, 400, "malformed-request");
        Assert.Equal("\"stages\" must be a list (a JSON array).", list.GetProperty("detail").GetString());
        AssertNothingInternal(listBody);
    }

    [Fact]
    public async Task The_reminder_opt_in_takes_its_body_or_none_and_the_document_says_the_body_is_optional()
    {
        using var resident = await platform.ApiClientAsync("resident-45");
        const string reminders = "/api/v1/rounds/demo-2024/reminders";

        // No body, white space or null: the page's language, and on to the service (this platform sends no email).
        await HttpAssertions.ProblemAsync(await resident.PutAsync(reminders, null), 409, "email-off");
        await HttpAssertions.ProblemAsync(await resident.PutAsync(reminders, new StringContent("  \n", Encoding.UTF8, "application/json")), 409, "email-off");
        await HttpAssertions.ProblemAsync(await resident.PutAsync(reminders, new StringContent("null", Encoding.UTF8, "application/json")), 409, "email-off");

        // A body that is there is read as any other.
        var malformed = await HttpAssertions.ProblemAsync(await resident.PutAsync(reminders, new StringContent("{\"language\":", Encoding.UTF8, "application/json")), 400, "malformed-request");
        Assert.Contains("not valid JSON", malformed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await HttpAssertions.ProblemAsync(await resident.PutAsJsonAsync(reminders, new { language = "fr" }), 400, "invalid-language");
        await HttpAssertions.ProblemAsync(await resident.PutAsJsonAsync(reminders, new { language = 7 }), 400, "malformed-request");

        var document = await DocumentAsync();
        // OpenAPI's default is required: false, so an optional body carries no "required" at all.
        Assert.False(Required(RequestBody(document, "/api/v1/rounds/{roundId}/reminders", "put")));
        Assert.False(Required(RequestBody(document, "/api/v1/rounds/{roundId}/paper-batches/{batchId}/commit", "post")));
        Assert.True(Required(RequestBody(document, "/api/v1/rounds/{roundId}/satisfaction", "post")));
        Assert.Equal("#/components/schemas/ReminderOptInRequest", RequestBody(document, "/api/v1/rounds/{roundId}/reminders", "put")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
    }

    /// <summary>
    /// One translation of a refused command for every capability (<c>ApiErrors.Problem(CommandResult)</c>): the catalogue's
    /// title, the refusal's message as <c>detail</c>, its errors with their fields, the code as <c>type</c>.
    /// </summary>
    [Fact]
    public async Task Refused_commands_of_every_capability_come_out_in_one_shape()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var resident = await platform.ApiClientAsync("resident-45");

        // Implementation (refused in the handler), proposals (by the service), satisfaction (by the service), counting (by the handler).
        var implementation = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync(
            "/api/v1/rounds/demo-2024-results/proposals/p-001/implementation/status", new { status = "in-progress" }), 400, "invalid-date");
        var proposal = await HttpAssertions.ProblemAsync(await resident.PostAsJsonAsync(
            "/api/v1/rounds/demo-2024/proposals/no-such-proposal/withdraw", new { reason = "x" }), 404, "proposal-not-found");
        var satisfaction = await HttpAssertions.ProblemAsync(await resident.PostAsJsonAsync(
            "/api/v1/rounds/demo-2024/satisfaction", new { rating = 9, source = "results" }), 400, "invalid-rating");
        var adoption = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync(
            "/api/v1/rounds/demo-2024/adoption", new { proposalIds = new[] { "no-such-proposal" }, reason = "x" }), 400, "invalid-adoption");

        foreach (var (problem, field) in new[] { (implementation, "date"), (proposal, "proposal"), (satisfaction, "rating"), (adoption, "") })
        {
            var code = problem.GetProperty("code").GetString();
            var error = problem.GetProperty("errors")[0];
            Assert.Equal(field, error.GetProperty("field").GetString());
            Assert.Equal(code, error.GetProperty("code").GetString());
            Assert.Equal(error.GetProperty("message").GetString(), problem.GetProperty("detail").GetString());
            Assert.Equal($"urn:chiyoda-civic:problem:{code}", problem.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        }
    }

    [Fact]
    public async Task Count_and_certify_document_what_they_answer_and_where_to_ask_while_they_run()
    {
        var document = await DocumentAsync();
        var count = Operation(document, "/api/v1/rounds/{roundId}/count", "post");
        var certify = Operation(document, "/api/v1/rounds/{roundId}/certify", "post");
        var status = Operation(document, "/api/v1/rounds/{roundId}/counting/operations/{kind}", "get");

        Assert.Equal("#/components/schemas/CountReport", JsonSchema(count, "200").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/ResultsView", JsonSchema(certify, "200").GetProperty("$ref").GetString());
        Assert.Equal(["#/components/schemas/CountReport", "#/components/schemas/ResultsView"],
            JsonSchema(status, "200").GetProperty("oneOf").EnumerateArray().Select(s => s.GetProperty("$ref").GetString()).ToList());
        foreach (var operation in new[] { count, certify, status })
        {
            Assert.Equal("#/components/schemas/CountingOperationStatus", JsonSchema(operation, "202").GetProperty("$ref").GetString());
            var headers = operation.GetProperty("responses").GetProperty("202").GetProperty("headers");
            Assert.True(headers.TryGetProperty("Location", out _), "202 without Location");
            Assert.True(headers.TryGetProperty("Retry-After", out _), "202 without Retry-After");
        }

        Assert.Equal(["round-not-found"], Codes(count, "404"));
        Assert.Equal(["not-closed", "no-shortlist", "ballots-purged"], Codes(count, "409"));
        Assert.Equal(["not-closed", "no-shortlist", "ballots-purged", "count-mismatch", "paper-commit-in-progress"], Codes(certify, "409"));
        Assert.Equal(["operation-not-found", "round-not-found"], Codes(status, "404"));
        foreach (var operation in new[] { count, certify, status })
        {
            Assert.Equal(["temporarily-unavailable"], Codes(operation, "503"));
            Assert.True(operation.GetProperty("responses").GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _), "503 without Retry-After");
        }

        // The demo round's vote is open: the count is refused with a code the document lists.
        using var admin = await platform.ApiClientAsync("admin");
        var refused = await HttpAssertions.ProblemAsync(await admin.PostAsync("/api/v1/rounds/demo-2024/count", null), 409, "not-closed");
        Assert.Contains(refused.GetProperty("code").GetString(), Codes(count, "409"));
    }

    [Fact]
    public async Task The_document_gives_each_ruled_query_parameter_its_range_or_its_words()
    {
        var document = await DocumentAsync();
        var queue = Operation(document, "/api/v1/rounds/{roundId}/screening/queue", "get");
        Assert.Equal(["updated", "score", "title", "ballot-number"], QueryParameter(queue, "sort").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Contains("in-review", QueryParameter(queue, "status").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        var take = QueryParameter(Operation(document, "/api/v1/rounds/{roundId}/proposals", "get"), "take");
        Assert.Equal("integer", take.GetProperty("type").GetString());
        Assert.Equal(1, take.GetProperty("minimum").GetInt32());
        Assert.Equal(200, take.GetProperty("maximum").GetInt32());
        Assert.Equal(500, QueryParameter(Operation(document, "/api/v1/rounds/{roundId}/audit", "get"), "take").GetProperty("maximum").GetInt32());

        // Good values still pass.
        using var screener = await platform.ApiClientAsync("screener");
        await HttpAssertions.JsonAsync(await screener.GetAsync("/api/v1/rounds/demo-2024/screening/queue?sort=ballot-number&status=shortlisted&descending=false&skip=0&take=200"), 200);
    }

    /// <summary>A number is a JSON number, as the document says (no integer-or-string schema anywhere).</summary>
    [Fact]
    public async Task Numbers_sent_as_strings_are_refused_as_the_document_says()
    {
        using var resident = await platform.ApiClientAsync("resident-45");
        var refused = await HttpAssertions.ProblemAsync(await resident.PostAsync("/api/v1/rounds/demo-2024/satisfaction",
            new StringContent("""{"rating":"4","source":"results"}""", Encoding.UTF8, "application/json")), 400, "malformed-request");
        Assert.Equal("rating", refused.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("\"rating\" must be a whole number.", refused.GetProperty("detail").GetString());

        using var anonymous = await platform.ApiClientAsync();
        var text = await (await anonymous.GetAsync("/api/v1/openapi.json")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("^-?(?:0|[1-9]\\d*)$", text, StringComparison.Ordinal);
        var document = JsonDocument.Parse(text).RootElement;
        var rating = document.GetProperty("components").GetProperty("schemas").GetProperty("RatingRequest").GetProperty("properties").GetProperty("rating").GetProperty("type");
        var types = rating.ValueKind == JsonValueKind.Array ? rating.EnumerateArray().Select(t => t.GetString()).ToList() : [rating.GetString()];
        Assert.Contains("integer", types);
        Assert.DoesNotContain("string", types);
    }

    [Fact]
    public async Task Optional_fields_are_optional_in_the_schema_and_on_the_server()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        Assert.Equal(["stage", "decision"], RequiredFields(schemas.GetProperty("DecisionRequest")));
        Assert.Equal(["requestId", "status", "date"], RequiredFields(schemas.GetProperty("StatusRequest")));
        Assert.Contains("department", schemas.GetProperty("StatusRequest").GetProperty("properties").GetProperty("department").GetProperty("description").GetString(),
            StringComparison.Ordinal);

        // A decision without a message or an id reaches the screening rules (here: a proposal that does not exist).
        using var admin = await platform.ApiClientAsync("admin");
        await HttpAssertions.ProblemAsync(await admin.PostAsync("/api/v1/rounds/demo-2024/proposals/no-such-proposal/reviews/decisions",
            new StringContent("""{"stage":1,"decision":"advance"}""", Encoding.UTF8, "application/json")), 404, "proposal-not-found");
    }

    [Fact]
    public async Task A_json_body_that_starts_with_a_byte_order_mark_is_read_as_json()
    {
        using var resident = await platform.ApiClientAsync("resident-45");
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"rating":4,"source":"results"}""")).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        // Read: the demo round's results are not out yet, which is the answer to the body's question, not to its bytes.
        await HttpAssertions.ProblemAsync(await resident.PostAsync("/api/v1/rounds/demo-2024/satisfaction", content), 409, "satisfaction-not-open");
    }

    [Fact]
    public async Task Several_field_errors_stand_apart_in_errors_and_the_detail_is_a_sentence()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await Proposals.ProposalApiSamples.OpenRoundAsync(admin);
        using var resident = await platform.ApiClientAsync("resident-45");
        var problem = await HttpAssertions.ProblemAsync(await resident.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", new
        {
            title = "", summary = new string('長', 401), problem = "", solution = "", expectedEffect = "", category = "", relation = "lives", submit = true,
        }), 400, "invalid-proposal");

        Assert.True(problem.GetProperty("errors").GetArrayLength() > 1);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.DoesNotContain("; ", detail, StringComparison.Ordinal);
        Assert.Contains("\"errors\"", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_frameworks_own_refusals_are_worded_for_people_with_their_code()
    {
        using var resident = await platform.ApiClientAsync("resident-45");
        using var anonymous = await platform.ApiClientAsync();

        var forbidden = await HttpAssertions.ProblemAsync(await resident.GetAsync("/api/v1/rounds/demo-2024/audit"), 403, "forbidden");
        Assert.Equal("Your role may not do this.", forbidden.GetProperty("title").GetString());
        Assert.Equal("urn:chiyoda-civic:problem:forbidden", forbidden.GetProperty("type").GetString());
        var unauthenticated = await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/inbox"), 401, "unauthenticated");
        Assert.Equal("Sign in: no valid bearer token was sent.", unauthenticated.GetProperty("title").GetString());
    }

    [Fact]
    public async Task An_address_or_headers_too_long_get_problem_details_and_the_document_has_them_as_common_responses()
    {
        using var anonymous = await platform.ApiClientAsync();
        var longQuery = await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/rounds?search=" + new string('a', 9000)), 414, "uri-too-long");
        Assert.Contains("8 KB", longQuery.GetProperty("title").GetString(), StringComparison.Ordinal);

        using var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/api/v1/rounds");
        bigHeaders.Headers.Add("X-Filler", new string('b', 40 * 1024));
        await HttpAssertions.ProblemAsync(await anonymous.SendAsync(bigHeaders), 431, "headers-too-large");

        var unknown = await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/no-such-resource"), 404, "not-found");
        Assert.Equal("urn:chiyoda-civic:problem:not-found", unknown.GetProperty("type").GetString());

        var responses = (await DocumentAsync()).GetProperty("components").GetProperty("responses");
        foreach (var (name, code) in new[] { ("NotFound", "not-found"), ("MethodNotAllowed", "method-not-allowed"), ("UriTooLong", "uri-too-long"), ("RequestHeadersTooLarge", "headers-too-large") })
        {
            var schema = responses.GetProperty(name).GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
            Assert.Equal([code], schema.GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(c => c.GetString()));
        }
    }

    /// <summary>No exception, .NET type, namespace or stack frame in an answer to bad input.</summary>
    private static void AssertNothingInternal(string body)
    {
        foreach (var leak in new[] { "Exception", "Chiyoda.Civic", "System.", "Microsoft.", "   at ", "stackTrace", "\"exception\"" })
        {
            Assert.False(body.Contains(leak, StringComparison.Ordinal), $"the answer shows \"{leak}\": {body}");
        }
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var anonymous = await platform.ApiClientAsync();
        return await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/openapi.json"), 200);
    }

    private static JsonElement QueryParameter(JsonElement operation, string name) =>
        operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name && p.GetProperty("in").GetString() == "query")
            .GetProperty("schema");

    private static List<string?> RequiredFields(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString())] : [];

    private static JsonElement Operation(JsonElement document, string path, string method) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static JsonElement RequestBody(JsonElement document, string path, string method) => Operation(document, path, method).GetProperty("requestBody");

    private static bool Required(JsonElement body) => body.TryGetProperty("required", out var required) && required.GetBoolean();

    private static JsonElement JsonSchema(JsonElement operation, string status) =>
        operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");

    private static List<string> Codes(JsonElement operation, string status) =>
        operation.GetProperty("responses").TryGetProperty(status, out var response)
            ? [.. response.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("properties")
                .GetProperty("code").GetProperty("enum").EnumerateArray().Select(c => c.GetString()!)]
            : [];
}
