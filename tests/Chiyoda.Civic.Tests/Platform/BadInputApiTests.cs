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
    [InlineData(null, "/api/v1/implementation?status=zzz&year=-5", "status", "one of \"adopted\"")]
    [InlineData(null, "/api/v1/implementation?year=-5", "year", "a whole number from 2000 to 2100")]
    [InlineData(null, "/api/v1/implementation?year=99999999999", "year", "a whole number from 2000 to 2100")]
    [InlineData(null, "/api/v1/implementation?category=zzz", "category", "\"children-education\"")]
    [InlineData(null, "/api/v1/implementation?department=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84%E8%AA%B2", "department", "\"政策経営部 企画課\"")]
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
    public async Task The_implementation_list_takes_every_value_its_records_can_hold_and_the_document_says_where_the_lists_are()
    {
        using var anonymous = await platform.ApiClientAsync();
        var all = (await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation"), 200)).GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(all);
        var first = all[0];
        var query = $"status={first.GetProperty("statusId").GetString()}&year={first.GetProperty("fiscalYear").GetInt32()}"
            + $"&category={Uri.EscapeDataString(first.GetProperty("category").GetString()!)}&department={Uri.EscapeDataString(first.GetProperty("department").GetString()!)}";
        var filtered = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation?" + query), 200);
        Assert.Contains(filtered.GetProperty("items").EnumerateArray(), i => i.GetProperty("proposalId").GetString() == first.GetProperty("proposalId").GetString());
        // Values the ward holds that no record is at yet are filters too (an empty list, not a refusal); so is an empty value.
        await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation?status=not-pursued&year=2099&category=other&department=&"), 200);

        var list = Operation(await DocumentAsync(), "/api/v1/implementation", "get");
        var parameters = list.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Contains("/api/v1/implementation/path", parameters["status"].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("/api/v1/implementation/departments", parameters["department"].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(2000, parameters["year"].GetProperty("schema").GetProperty("minimum").GetInt32());
        Assert.Contains("invalid-query", Codes(list, "400"));
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
    /// %00 never reaches the platform: Kestrel decodes the request line, refuses a NUL in the path and answers 400 itself, before
    /// any application code runs (so no problem details can be written; docs/api.md says so). The status is the one
    /// <c>invalid-address</c> has. Rewriting the bytes of the request line before Kestrel reads them was tried and left out: it
    /// meant scanning every read of every connection, on the results-night path, for a request no browser sends.
    /// </summary>
    [Theory]
    [InlineData("/api/v1/rounds/%00")]
    [InlineData("/rounds/%00")]
    public async Task A_nul_in_the_path_is_refused_by_the_server_itself_with_400(string target)
    {
        var (status, _, _) = await RawGetAsync(target);
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task A_control_character_in_a_page_path_gets_the_not_found_page()
    {
        var (status, headers, body) = await RawGetAsync("/rounds/demo%01");
        Assert.Equal(404, status);
        Assert.StartsWith("text/html", headers["content-type"], StringComparison.Ordinal);
        Assert.Contains("ページが見つかりません", body, StringComparison.Ordinal);
    }

    /// <summary>A GET sent byte for byte over a socket: the status, the headers (names lower-case) and the body (chunked or not).</summary>
    private async Task<(int Status, Dictionary<string, string> Headers, string Body)> RawGetAsync(string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(platform.Web.Host, platform.Web.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {platform.Web.Authority}\r\nConnection: close\r\n\r\n"));
        using var all = new MemoryStream();
        await stream.CopyToAsync(all);
        var bytes = all.ToArray();
        var split = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(bytes, 0, split).Split("\r\n");
        var headers = head.Skip(1).Select(h => h.Split(':', 2)).ToDictionary(h => h[0].Trim().ToLowerInvariant(), h => h[1].Trim());
        var content = new MemoryStream();
        var at = split + 4;
        if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
        {
            while (true)
            {
                var lineEnd = Array.IndexOf(bytes, (byte)'\n', at);
                var size = Convert.ToInt32(Encoding.ASCII.GetString(bytes, at, lineEnd - at).Trim(), 16);
                if (size == 0)
                {
                    break;
                }

                content.Write(bytes, lineEnd + 1, size);
                at = lineEnd + 1 + size + 2;
            }
        }
        else
        {
            content.Write(bytes, at, bytes.Length - at);
        }

        var body = Encoding.UTF8.GetString(content.ToArray());
        return (int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers, body);
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

        Assert.Equal(["round-not-found", "not-found"], Codes(count, "404"));
        Assert.Equal(["not-closed", "no-shortlist", "ballots-purged"], Codes(count, "409"));
        Assert.Equal(["not-closed", "no-shortlist", "ballots-purged", "count-mismatch", "paper-commit-in-progress"], Codes(certify, "409"));
        Assert.Equal(["operation-not-found", "round-not-found", "not-found"], Codes(status, "404"));
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

    [Theory]
    [InlineData("1e308")]
    [InlineData("99999999999999999999")]
    [InlineData("-2147483649")]
    public async Task A_number_too_large_for_its_field_is_said_to_be_out_of_range_with_the_range(string number)
    {
        using var resident = await platform.ApiClientAsync("resident-45");
        var refused = await HttpAssertions.ProblemAsync(await resident.PostAsync("/api/v1/rounds/demo-2024/satisfaction",
            new StringContent($$"""{"rating":{{number}},"source":"results"}""", Encoding.UTF8, "application/json")), 400, "malformed-request");

        Assert.Equal("rating", refused.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal($"\"rating\" is out of range: {number} is not a whole number from -2147483648 to 2147483647.", refused.GetProperty("detail").GetString());
        Assert.DoesNotContain("not a number", refused.GetRawText(), StringComparison.Ordinal);

        // In range but not whole: still told what the field takes.
        var fraction = await HttpAssertions.ProblemAsync(await resident.PostAsync("/api/v1/rounds/demo-2024/satisfaction",
            new StringContent("""{"rating":4.5,"source":"results"}""", Encoding.UTF8, "application/json")), 400, "malformed-request");
        Assert.Equal("\"rating\" must be a whole number.", fraction.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_sent_as_json_is_415_and_json_media_types_are_read()
    {
        using var resident = await platform.ApiClientAsync("resident-45");
        const string satisfaction = "/api/v1/rounds/demo-2024/satisfaction";
        const string json = """{"rating":4,"source":"results"}""";

        var plain = await HttpAssertions.ProblemAsync(await resident.PostAsync(satisfaction, new StringContent(json, Encoding.UTF8, "text/plain")), 415, "unsupported-media-type");
        Assert.Contains("text/plain", plain.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", plain.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await HttpAssertions.ProblemAsync(await resident.PostAsync(satisfaction, new FormUrlEncodedContent([new("rating", "4")])), 415, "unsupported-media-type");
        using var untyped = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        var none = await HttpAssertions.ProblemAsync(await resident.PostAsync(satisfaction, untyped), 415, "unsupported-media-type");
        Assert.Contains("no Content-Type", none.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await HttpAssertions.ProblemAsync(await resident.PostAsync(satisfaction, new StringContent(json, Encoding.Latin1, "application/json")), 415, "unsupported-media-type");

        // Read as JSON: the demo round's results are not out yet, which answers the body, not its media type.
        foreach (var type in new[] { "application/json; charset=utf-8", "application/json", "application/merge-patch+json", "Application/JSON; charset=\"UTF-8\"" })
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            content.Headers.TryAddWithoutValidation("Content-Type", type);
            await HttpAssertions.ProblemAsync(await resident.PostAsync(satisfaction, content), 409, "satisfaction-not-open");
        }

        Assert.Equal(["unsupported-media-type"], Codes(Operation(await DocumentAsync(), "/api/v1/rounds/{roundId}/satisfaction", "post"), "415"));
    }

    [Fact]
    public async Task A_ballot_names_the_choice_that_is_not_on_the_ballot_and_an_over_long_key_is_not_called_missing()
    {
        using var voter = await platform.ApiClientAsync("voter:d-0017");
        var unknown = await HttpAssertions.ProblemAsync(await voter.SendAsync(Ballots.PlatformVoting.Ballot("demo-2024", Guid.NewGuid().ToString("N"), 2, 99)), 400, "unknown-proposal");
        Assert.Equal("99 is not a proposal on this round's ballot: choose ballot numbers from 1 to 7.", unknown.GetProperty("detail").GetString());
        Assert.Equal("choices", unknown.GetProperty("errors")[0].GetProperty("field").GetString());

        var twice = await HttpAssertions.ProblemAsync(await voter.SendAsync(Ballots.PlatformVoting.Ballot("demo-2024", Guid.NewGuid().ToString("N"), 3, 3)), 400, "duplicate-choice");
        Assert.Contains("3 is chosen more than once", twice.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var tooLong = await HttpAssertions.ProblemAsync(await voter.SendAsync(Ballots.PlatformVoting.Ballot("demo-2024", new string('k', 101), 1)), 400, "idempotency-key-too-long");
        Assert.Equal("The Idempotency-Key header is 101 characters long: it takes 1 to 100 characters.", tooLong.GetProperty("detail").GetString());
        Assert.Equal("Idempotency-Key", tooLong.GetProperty("errors")[0].GetProperty("field").GetString());
        using var keyless = new HttpRequestMessage(HttpMethod.Put, "/api/v1/rounds/demo-2024/ballot") { Content = JsonContent.Create(new { choices = new[] { 1 } }) };
        await HttpAssertions.ProblemAsync(await voter.SendAsync(keyless), 400, "missing-idempotency-key");

        var ballot = Operation(await DocumentAsync(), "/api/v1/rounds/{roundId}/ballot", "put");
        Assert.Contains("idempotency-key-too-long", Codes(ballot, "400"));
        Assert.Contains("missing-idempotency-key", Codes(ballot, "400"));
    }

    [Fact]
    public async Task A_comments_idempotency_key_is_its_request_id_and_a_different_body_request_id_is_refused()
    {
        using var resident = await platform.ApiClientAsync("voter:c" + Guid.NewGuid().ToString("N")[..10]);
        const string thread = "/api/v1/rounds/demo-2024/proposals/p-004/comments";
        var key = Guid.NewGuid().ToString("N");

        HttpRequestMessage Post(string? header, object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, thread) { Content = JsonContent.Create(body) };
            if (header is not null)
            {
                request.Headers.Add("Idempotency-Key", header);
            }

            return request;
        }

        var differ = await HttpAssertions.ProblemAsync(await resident.SendAsync(Post(key, new { requestId = "other-id", text = "ヘッダーと本文" })), 400, "invalid-request-id");
        Assert.Contains("Idempotency-Key", differ.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("differ", differ.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("requestId", differ.GetProperty("errors")[0].GetProperty("field").GetString());

        // The header alone is the request id: sent again, the same comment is answered (posted once). A "%00" in a body is
        // text, left as written.
        const string text = "ヘッダーのみ 100%00";
        var first = await HttpAssertions.JsonAsync(await resident.SendAsync(Post(key, new { text })), 201);
        Assert.Equal(text, first.GetProperty("text").GetString());
        var again = await HttpAssertions.JsonAsync(await resident.SendAsync(Post(key, new { text })), 201);
        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        // The same id in both is that id too; the header with other words is a reused key.
        var both = await HttpAssertions.JsonAsync(await resident.SendAsync(Post(key, new { requestId = key, text })), 201);
        Assert.Equal(first.GetProperty("id").GetString(), both.GetProperty("id").GetString());
        await HttpAssertions.ProblemAsync(await resident.SendAsync(Post(key, new { text = "別の言葉" })), 422, "idempotency-key-reused");
        await HttpAssertions.ProblemAsync(await resident.SendAsync(Post(new string('k', 101), new { text = "長い鍵" })), 400, "idempotency-key-too-long");

        var operation = Operation(await DocumentAsync(), "/api/v1/rounds/{roundId}/proposals/{proposalId}/comments", "post");
        var header = operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.False(header.TryGetProperty("required", out var required) && required.GetBoolean());
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
        // The role it needs, in words and as a member; an operation of two roles names both.
        Assert.Equal("This needs the administrator role.", forbidden.GetProperty("detail").GetString());
        Assert.Equal("admin", forbidden.GetProperty("requiredRole").GetString());
        Assert.Equal(["admin"], forbidden.GetProperty("allowedRoles").EnumerateArray().Select(r => r.GetString()));
        var clerks = await HttpAssertions.ProblemAsync(await resident.GetAsync("/api/v1/rounds/demo-2024/paper-batches"), 403, "forbidden");
        Assert.Equal("This needs the clerk or administrator role.", clerks.GetProperty("detail").GetString());
        Assert.Equal("clerk", clerks.GetProperty("requiredRole").GetString());
        Assert.Equal(["clerk", "admin"], clerks.GetProperty("allowedRoles").EnumerateArray().Select(r => r.GetString()));

        // The 403 response's schema says so, with the operation's roles.
        var audit = Operation(await DocumentAsync(), "/api/v1/rounds/{roundId}/audit", "get").GetProperty("responses").GetProperty("403")
            .GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("properties");
        Assert.Equal(["admin"], audit.GetProperty("requiredRole").GetProperty("enum").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("array", audit.GetProperty("allowedRoles").GetProperty("type").GetString());
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

        var document = await DocumentAsync();
        var responses = document.GetProperty("components").GetProperty("responses");
        // Referenced from every operation (described once), so a client knows them wherever it calls.
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("responses", out _)))
            {
                var answers = operation.Value.GetProperty("responses");
                Assert.Equal("#/components/responses/UriTooLong", answers.GetProperty("414").GetProperty("$ref").GetString());
                Assert.Equal("#/components/responses/RequestHeadersTooLarge", answers.GetProperty("431").GetProperty("$ref").GetString());
            }
        }

        foreach (var (name, code) in new[] { ("NotFound", "not-found"), ("MethodNotAllowed", "method-not-allowed"), ("UriTooLong", "uri-too-long"), ("RequestHeadersTooLarge", "headers-too-large") })
        {
            var schema = responses.GetProperty(name).GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
            Assert.Equal([code], schema.GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(c => c.GetString()));
        }
    }

    /// <summary>
    /// A wrong method names the method sent and the ones taken (it said "takes POST, not POST" for a step number that is not a
    /// number); the method taken with a value its route cannot hold is that value's refusal, not a 405.
    /// </summary>
    [Fact]
    public async Task A_wrong_method_names_the_method_sent_and_those_taken_and_a_value_the_route_cannot_hold_is_invalid_address()
    {
        using var admin = await platform.ApiClientAsync("admin");
        const string withdraw = "/api/v1/rounds/demo-2024-results/proposals/p-001/implementation/steps/abc/withdraw";

        using var get = await admin.GetAsync(withdraw);
        var wrongMethod = await HttpAssertions.ProblemAsync(get, 405, "method-not-allowed");
        Assert.Equal("This address does not take GET: it takes POST.", wrongMethod.GetProperty("detail").GetString());
        Assert.Equal(["POST"], get.Content.Headers.Allow);

        var notANumber = await HttpAssertions.ProblemAsync(await admin.PostAsJsonAsync(withdraw, new { requestId = "w-1", reason = "x" }), 400, "invalid-address");
        Assert.Equal("The path segment \"seq\" must be a whole number; \"abc\" is not.", notANumber.GetProperty("detail").GetString());
        Assert.Equal("seq", notANumber.GetProperty("errors")[0].GetProperty("field").GetString());

        using var put = await admin.PutAsJsonAsync("/api/v1/rounds/demo-2024/proposals/p-001/withdraw", new { reason = "x" });
        var put405 = await HttpAssertions.ProblemAsync(put, 405, "method-not-allowed");
        Assert.Equal("This address does not take PUT: it takes POST.", put405.GetProperty("detail").GetString());
    }

    /// <summary>
    /// The shared 404 and 405 are referred to by the operations: 405 from every one (the Allow header described), 404 wherever
    /// the operation has route values (not-found beside its own unknown-value codes, or the shared answer itself).
    /// </summary>
    [Fact]
    public async Task Every_operation_refers_to_the_shared_405_and_those_with_route_values_to_the_shared_404()
    {
        var document = await DocumentAsync();
        var shared = document.GetProperty("components").GetProperty("responses");
        Assert.True(shared.GetProperty("MethodNotAllowed").GetProperty("headers").TryGetProperty("Allow", out _), "405 without Allow");
        var referredTo404 = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("responses", out _)))
            {
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var answers = operation.Value.GetProperty("responses");
                Assert.Equal("#/components/responses/MethodNotAllowed", answers.GetProperty("405").GetProperty("$ref").GetString());
                if (!path.Name.Contains('{', StringComparison.Ordinal))
                {
                    continue;
                }

                Assert.True(answers.TryGetProperty("404", out var notFound), $"{where}: no 404");
                if (notFound.TryGetProperty("$ref", out var reference))
                {
                    Assert.Equal("#/components/responses/NotFound", reference.GetString());
                    referredTo404++;
                }
                else
                {
                    Assert.Contains("not-found", Codes(operation.Value, "404"));
                }
            }
        }

        Assert.True(referredTo404 > 0, "no operation refers to the shared 404");

        // A route value left empty is an address no operation has: the shared not-found.
        using var anonymous = await platform.ApiClientAsync();
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/rounds//proposals"), 404, "not-found");
    }

    /// <summary>A body's field given twice, or one the request does not have, is refused naming it, never read on a guess.</summary>
    [Theory]
    [InlineData("""{"rating":4,"rating":5,"source":"results"}""", "rating", "\"rating\" is given more than once: send each field once.")]
    [InlineData("""{"rating":4,"Rating":5,"source":"results"}""", "Rating", "\"Rating\" is given more than once (as \"rating\" and \"Rating\")")]
    [InlineData("""{"rating":4,"source":"results","ratting":5}""", "ratting", "\"ratting\" is not a field of this request: it takes \"rating\", \"comment\", \"source\"")]
    public async Task A_repeated_or_unknown_field_is_malformed_naming_it(string json, string field, string expected)
    {
        using var resident = await platform.ApiClientAsync("resident-45");
        using var response = await resident.PostAsync("/api/v1/rounds/demo-2024/satisfaction", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        var problem = await HttpAssertions.ProblemAsync(response, 400, "malformed-request");
        Assert.StartsWith(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        AssertNothingInternal(body);
    }

    [Fact]
    public async Task A_ballot_with_its_choices_twice_or_a_nested_unknown_field_is_refused_and_nothing_is_recorded()
    {
        using var voter = await platform.ApiClientAsync("voter:d-0019");
        using var twice = new HttpRequestMessage(HttpMethod.Put, "/api/v1/rounds/demo-2024/ballot")
        {
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString("N") } },
            Content = new StringContent("""{"choices":[1],"choices":[2]}""", Encoding.UTF8, "application/json"),
        };
        var refused = await HttpAssertions.ProblemAsync(await voter.SendAsync(twice), 400, "malformed-request");
        Assert.Equal("choices", refused.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains("\"choices\" is given more than once", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Deeper in the body, the path names it.
        using var admin = await platform.ApiClientAsync("admin");
        var nested = await HttpAssertions.ProblemAsync(await admin.PutAsync("/api/v1/rounds/demo-2024/screening",
            new StringContent("""{"stages":[{"bogus":1}]}""", Encoding.UTF8, "application/json")), 400, "malformed-request");
        Assert.Equal("stages[0].bogus", nested.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains("is not a field of \"stages[0]\"", nested.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A comment's request id takes what the Idempotency-Key header takes (1 to 100 characters), from the header or the body,
    /// and a longer one is idempotency-key-too-long as everywhere; the document gives the body's field the same limit.
    /// </summary>
    [Fact]
    public async Task A_comments_request_id_obeys_the_idempotency_key_limit_in_the_header_and_the_body()
    {
        using var resident = await platform.ApiClientAsync("voter:c" + Guid.NewGuid().ToString("N")[..10]);
        const string thread = "/api/v1/rounds/demo-2024/proposals/p-004/comments";
        var hundred = Guid.NewGuid().ToString("N") + new string('h', 68);
        // The body's key differs from the header's in its first character: "z" is never a GUID's hex digit (a "b" was,
        // one time in sixteen, the same key again, rightly refused as reused).

        using var header = new HttpRequestMessage(HttpMethod.Post, thread) { Content = JsonContent.Create(new { text = "百文字の鍵" }) };
        header.Headers.Add("Idempotency-Key", hundred);
        await HttpAssertions.JsonAsync(await resident.SendAsync(header), 201);
        await HttpAssertions.JsonAsync(await resident.PostAsJsonAsync(thread, new { requestId = "z" + hundred[1..], text = "本文の百文字の鍵" }), 201);

        var tooLong = await HttpAssertions.ProblemAsync(await resident.PostAsJsonAsync(thread, new { requestId = new string('k', 101), text = "長い鍵" }), 400, "idempotency-key-too-long");
        Assert.Equal("requestId", tooLong.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains("101 characters long: it takes 1 to 100 characters", tooLong.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var schema = (await DocumentAsync()).GetProperty("components").GetProperty("schemas").GetProperty("CommentRequest").GetProperty("properties").GetProperty("requestId");
        Assert.Equal(100, schema.GetProperty("maxLength").GetInt32());
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
