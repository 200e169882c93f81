using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Ballots;

[Collection(PlatformCollection.Name)]
public sealed class RegisterApiTests(PlatformFixture platform)
{
    private const string Header = "voter_key,name_kana,birthdate,postcode";

    static RegisterApiTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static Dictionary<int, (string Outcome, string? Reason)> ByLine(JsonElement report) =>
        report.GetProperty("outcomes").EnumerateArray().ToDictionary(
            o => o.GetProperty("line").GetInt32(),
            o => (o.GetProperty("outcome").GetString()!, o.TryGetProperty("reason", out var r) ? r.GetString() : null));

    [Fact]
    public async Task A_register_file_is_loaded_line_by_line_and_bad_lines_never_stop_good_ones()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var csv = string.Join("\r\n",
            Header,
            "a001,ヤマダ タロウ,1980-01-02,102-8688",                   // 2 added
            "\"a002\",\"スズキ, ハナコ\",1975-12-31,1028688",           // 3 added (quoted comma)
            "a003,サトウ ジロウ,1990-02-30,102-8688",                   // 4 bad date
            "a001,ヤマダ タロウ,1980-01-02,102-8688",                   // 5 duplicate key in the file
            "a004,,1990-01-01,102-8688",                               // 6 missing name
            "a005,タナカ,1990-01-01",                                   // 7 wrong field count
            "a 006,タナカ,1990-01-01,102-8688",                         // 8 bad key
            "ａ００７,　タカハシ　,１９６０-０５-０５, 102-8688 ");         // 9 full-width, normalised, added

        var report = await PlatformVoting.LoadRegisterAsync(admin, roundId, csv);
        var lines = ByLine(report);

        Assert.Equal(8, report.GetProperty("lines").GetInt32());
        Assert.Equal(3, report.GetProperty("added").GetInt32());
        Assert.Equal(5, report.GetProperty("refused").GetInt32());
        Assert.Equal(("added", null), lines[2]);
        Assert.Equal(("added", null), lines[3]);
        Assert.Equal(("refused", "bad-date"), lines[4]);
        Assert.Equal(("refused", "duplicate-key"), lines[5]);
        // The repeat names the line the key is on first, so the clerk can compare the two.
        var duplicate = report.GetProperty("outcomes").EnumerateArray().Single(o => o.GetProperty("line").GetInt32() == 5);
        Assert.Equal(2, duplicate.GetProperty("duplicateOf").GetInt32());
        Assert.Equal(("refused", "missing-field"), lines[6]);
        Assert.Equal(("refused", "wrong-field-count"), lines[7]);
        Assert.Equal(("refused", "bad-voter-key"), lines[8]);
        Assert.Equal(("added", null), lines[9]);
        Assert.Equal(0, report.GetProperty("blankLines").GetInt32());
    }

    [Fact]
    public async Task Empty_lines_are_passed_over_and_the_report_says_how_many_with_the_other_lines_keeping_their_numbers()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        // Line 3 is empty and line 5 holds spaces alone; the file ends with a line break (not a line).
        var csv = $"{Header}\r\nc001,ヤマダ タロウ,1980-01-02,102-8688\r\n\r\nc002,ヤマダ ハナコ,1981-03-04,\r\n  \r\nc003,ヤマダ ジロウ,1982-05-06,102-8688\r\n";

        var report = await PlatformVoting.LoadRegisterAsync(admin, roundId, csv);

        Assert.Equal((3, 3, 2), (report.GetProperty("lines").GetInt32(), report.GetProperty("added").GetInt32(), report.GetProperty("blankLines").GetInt32()));
        Assert.Equal([2, 4, 6], ByLine(report).Keys.Order());
    }

    [Fact]
    public async Task A_voter_key_is_one_key_whatever_its_letter_case_or_width()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var first = await PlatformVoting.LoadRegisterAsync(admin, roundId, $"{Header}\nE001,ヤマダ タロウ,1980-01-02,102-8688\n");
        Assert.Equal("e001", first.GetProperty("outcomes")[0].GetProperty("voterKey").GetString());
        // The same person in lower case and in full width is the same line, unchanged; not a second voter.
        var again = await PlatformVoting.LoadRegisterAsync(admin, roundId, $"{Header}\ne001,ヤマダ タロウ,1980-01-02,102-8688\nｅ００１,ヤマダ タロウ,1980-01-02,102-8688\n");
        Assert.Equal((1, 1), (again.GetProperty("unchanged").GetInt32(), again.GetProperty("refused").GetInt32()));
        Assert.Equal(("refused", "duplicate-key"), ByLine(again)[3]);
        // The dashes a Japanese keyboard gives for "-" are "-" (U+2010 hyphen, U+2212 minus, the long-vowel mark ー).
        Assert.Equal(["f-1", "f-2", "f-3"], new[] { "F‐1", "f−2", "Ｆー3" }.Select(Chiyoda.Civic.Abstractions.Register.VoterKeys.Normalize));
    }

    [Fact]
    public async Task Loading_the_same_file_twice_changes_nothing_and_a_corrected_line_updates_its_entry()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var first = $"{Header}\nb001,イトウ ケン,1970-07-07,102-8688\nb002,イトウ ユミ,1972-08-08,102-8688\n";

        await PlatformVoting.LoadRegisterAsync(admin, roundId, first);
        var again = await PlatformVoting.LoadRegisterAsync(admin, roundId, first);
        var corrected = await PlatformVoting.LoadRegisterAsync(admin, roundId, $"{Header}\nb002,イトウ ユミ,1972-09-09,102-8688\n");

        Assert.Equal(2, again.GetProperty("unchanged").GetInt32());
        Assert.Equal(0, again.GetProperty("added").GetInt32() + again.GetProperty("updated").GetInt32());
        Assert.Equal(1, corrected.GetProperty("updated").GetInt32());
        using var clerk = await platform.ApiClientAsync("clerk");
        var found = await HttpAssertions.JsonAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/register/lookup?nameKana={Uri.EscapeDataString("イトウ ユミ")}&birthdate=1972-09-09"), 200);
        var stale = await HttpAssertions.JsonAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/register/lookup?nameKana={Uri.EscapeDataString("イトウ ユミ")}&birthdate=1972-08-08"), 200);
        Assert.Equal("b002", Assert.Single(found.EnumerateArray()).GetProperty("voterKey").GetString());
        Assert.Empty(stale.EnumerateArray());
    }

    [Fact]
    public async Task Shift_jis_and_utf8_with_a_byte_order_mark_are_both_read()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);

        var sjis = await PlatformVoting.LoadRegisterAsync(admin, roundId, $"{Header}\r\nc001,ワタナベ サクラ,1985-03-03,102-8688\r\n", Encoding.GetEncoding(932));
        var bom = await PlatformVoting.LoadRegisterAsync(admin, roundId, $"{Header}\nc002,コバヤシ アオイ,1986-04-04,102-8688\n", new UTF8Encoding(true));

        Assert.Equal(1, sjis.GetProperty("added").GetInt32());
        Assert.Equal(1, bom.GetProperty("added").GetInt32());
        using var clerk = await platform.ApiClientAsync("clerk");
        // Clerks type kana with or without the space, in full or half width.
        var found = await HttpAssertions.JsonAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/register/lookup?nameKana={Uri.EscapeDataString("ワタナベサクラ")}&birthdate=1985-03-03"), 200);
        Assert.Equal("c001", Assert.Single(found.EnumerateArray()).GetProperty("voterKey").GetString());
    }

    [Fact]
    public async Task A_line_with_an_empty_required_field_names_the_empty_fields_beside_its_reason()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var csv = string.Join("\r\n",
            Header,
            "w-009,,1980-01-01,102-8688",                  // 2 empty name
            "w-010,テスト ジュウ,,102-8688",               // 3 empty birthdate
            ",テスト ジュウイチ,1980-01-01,102-8688",      // 4 empty key
            ",,　,102-8688",                               // 5 all three (a full-width space is empty)
            "w-012,テスト ジュウニ,1980-01-01,");          // 6 added: the postcode may be empty

        var report = await PlatformVoting.LoadRegisterAsync(admin, roundId, csv);
        var outcomes = report.GetProperty("outcomes").EnumerateArray().ToDictionary(o => o.GetProperty("line").GetInt32());
        string[] Fields(int line) =>
            outcomes[line].TryGetProperty("fields", out var f) ? [.. f.EnumerateArray().Select(x => x.GetString()!)] : [];

        Assert.All(new[] { 2, 3, 4, 5 }, line => Assert.Equal("missing-field", outcomes[line].GetProperty("reason").GetString()));
        Assert.Equal(new[] { "name_kana" }, Fields(2));
        Assert.Equal(new[] { "birthdate" }, Fields(3));
        Assert.Equal(new[] { "voter_key" }, Fields(4));
        Assert.Equal(new[] { "voter_key", "name_kana", "birthdate" }, Fields(5));
        Assert.Equal("added", outcomes[6].GetProperty("outcome").GetString());
        Assert.Empty(Fields(6));
    }

    [Fact]
    public async Task A_future_birthdate_is_refused_and_once_voting_has_closed_the_register_is_final_with_nothing_changed()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        // A birthdate after today is a mistyped year, never a voter (a walker's 令和10年 was once added).
        var first = await PlatformVoting.LoadRegisterAsync(admin, roundId, $"{Header}\n{PlatformVoting.Adult("f-001")}\nf-009,ミライ,{DateTime.UtcNow.AddYears(1):yyyy-MM-dd},\nf-010,ミライ,令和20年1月1日,\n");
        Assert.Equal((1, 2), (first.GetProperty("added").GetInt32(), first.GetProperty("refused").GetInt32()));
        Assert.Equal(("refused", "future-birthdate"), ByLine(first)[3]);
        Assert.Equal(("refused", "future-birthdate"), ByLine(first)[4]);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "名簿確定の検査" }), 200);

        // A new voter and a corrected line alike: after the close nobody joins and no entry changes.
        using var late = new StringContent($"{Header}\n{PlatformVoting.Adult("f-002")}\nf-001,クミン カワッタ,1970-01-01,102-8688\n", Encoding.UTF8, "text/csv");
        await HttpAssertions.ProblemAsync(await admin.PostAsync($"/api/v1/rounds/{roundId}/register", late), 409, "register-closed");

        using var clerk = await platform.ApiClientAsync("clerk");
        var unchanged = await HttpAssertions.JsonAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/register/lookup?nameKana={Uri.EscapeDataString("クミン タロウ")}&birthdate={DateTime.UtcNow.AddYears(-40):yyyy-MM-dd}"), 200);
        Assert.Equal(["f-001"], unchanged.EnumerateArray().Select(e => e.GetProperty("voterKey").GetString()));
        var changed = await HttpAssertions.JsonAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/register/lookup?nameKana={Uri.EscapeDataString("クミン カワッタ")}&birthdate=1970-01-01"), 200);
        Assert.Equal(0, changed.GetArrayLength());
    }

    [Fact]
    public async Task A_file_that_is_not_a_register_is_refused_whole()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);

        using var wrongHeader = new StringContent("name,birthday\nx,y\n", Encoding.UTF8, "text/csv");
        using var binary = new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0xFF, 0xFE]);

        await HttpAssertions.ProblemAsync(await admin.PostAsync($"/api/v1/rounds/{roundId}/register", wrongHeader), 400, "not-a-register-file");
        await HttpAssertions.ProblemAsync(await admin.PostAsync($"/api/v1/rounds/{roundId}/register", binary), 400, "not-a-register-file");
    }

    [Fact]
    public async Task Only_administrators_load_and_only_clerks_and_administrators_look_up()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        using var clerk = await platform.ApiClientAsync("clerk");
        using var resident = await platform.ApiClientAsync("resident-45");
        using var anonymous = await platform.ApiClientAsync();
        using var file = new StringContent($"{Header}\nd001,ア,1980-01-01,102-8688\n", Encoding.UTF8, "text/csv");
        var lookup = $"/api/v1/rounds/{roundId}/register/lookup?nameKana=ア&birthdate=1980-01-01";

        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.PostAsync($"/api/v1/rounds/{roundId}/register", file)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/v1/rounds/{roundId}/register", file)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await resident.GetAsync(lookup)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(lookup)).StatusCode);
        await HttpAssertions.ProblemAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/register/lookup?nameKana=ア&birthdate=1980-13-01"), 400, "invalid-lookup");
    }
}
