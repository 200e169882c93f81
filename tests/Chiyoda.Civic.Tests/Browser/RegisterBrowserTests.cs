using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

[Trait(Tier.Name, Tier.Browser)]
[Collection(PlatformCollection.Name)]
public sealed class RegisterBrowserTests(PlatformFixture platform)
{
    static RegisterBrowserTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Fact]
    public async Task An_administrator_loads_a_shift_jis_register_in_the_ui_and_sees_the_report_and_turnout()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var file = Encoding.GetEncoding(932).GetBytes(
            "voter_key,name_kana,birthdate,postcode\r\nu001,ヤマモト ケイ,1950-05-05,102-8688\r\nu002,ヤマモト リン,1951-06-31,102-8688\r\nu003,ヤマモト ソラ,1990-01-01,102-8688\r\n");
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "admin");
        var page = session.Page;

        await page.GotoAsync(new Uri(platform.Web, $"/admin/rounds/{roundId}/register").ToString());
        await page.Locator("[data-interactive=true]").WaitForAsync();
        Assert.Equal("0", (await page.GetByTestId("registered").InnerTextAsync()).Trim());
        await session.AssertAccessibleAsync("the register page (ja)");

        await page.GetByTestId("register-file").SetInputFilesAsync(new FilePayload { Name = "meibo.csv", MimeType = "text/csv", Buffer = file });
        await page.GetByTestId("register-report").WaitForAsync();

        Assert.Contains("新規 2", await page.GetByTestId("register-report").InnerTextAsync());
        Assert.Contains("生年月日", await page.GetByTestId("refused-line").InnerTextAsync());
        Assert.Equal("2", (await page.GetByTestId("registered").InnerTextAsync()).Trim());
        await session.AssertAccessibleAsync("the register page with a report (ja)");

        await session.SwitchLanguageAsync("en");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await session.AssertAccessibleAsync("the register page (en)");
    }

    [Fact]
    public async Task A_file_without_the_header_and_lines_with_empty_fields_are_explained_in_the_pages_language()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var noHeader = Encoding.UTF8.GetBytes("w-001,テスト イチ,1980-01-01,102-8688\n");
        var emptyFields = Encoding.UTF8.GetBytes(
            "voter_key,name_kana,birthdate,postcode\nw-009,,1980-01-01,102-8688\nw-010,テスト ジュウ,,102-8688\n,テスト ジュウイチ,1980-01-01,102-8688\n"
            + "w-012,テスト ジュウニ,1980-01-01,\nW-012,テスト ジュウニ,1980-01-01,\n");
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "admin");
        var page = session.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/admin/rounds/{roundId}/register").ToString());
        await page.Locator("[data-interactive=true]").WaitForAsync();

        async Task<string> ErrorAsync()
        {
            await page.GetByTestId("register-file").SetInputFilesAsync(new FilePayload { Name = "meibo.csv", MimeType = "text/csv", Buffer = noHeader });
            return await page.GetByTestId("register-error").InnerTextAsync();
        }

        async Task<IReadOnlyList<string>> RefusedAsync()
        {
            await page.GetByTestId("register-file").SetInputFilesAsync(new FilePayload { Name = "meibo2.csv", MimeType = "text/csv", Buffer = emptyFields });
            await page.GetByTestId("register-report").WaitForAsync();
            return await page.GetByTestId("refused-line").AllInnerTextsAsync();
        }

        var error = await ErrorAsync();
        Assert.Contains("1行目が見出しではありません", error);
        Assert.Contains("voter_key,name_kana,birthdate,postcode", error);
        Assert.DoesNotContain("The first line", error, StringComparison.Ordinal);
        var refused = await RefusedAsync();
        Assert.Equal(4, refused.Count);
        Assert.Contains("必須の項目が空です：氏名（カナ）", refused[0]);
        Assert.Contains("必須の項目が空です：生年月日", refused[1]);
        Assert.Contains("必須の項目が空です：投票者番号", refused[2]);
        // The same key in capitals is the same voter: the repeat names the line that was read.
        Assert.Contains("同じ投票者番号が5行目にもあります", refused[3]);
        await session.AssertAccessibleAsync("the register page with empty fields named (ja)");

        await session.SwitchLanguageAsync("en");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        error = await ErrorAsync();
        Assert.Contains("The first line must be: voter_key,name_kana,birthdate,postcode", error);
        refused = await RefusedAsync();
        Assert.Contains("Empty required field(s): name (kana)", refused[0]);
        Assert.Contains("Empty required field(s): birthdate", refused[1]);
        Assert.Contains("Empty required field(s): voter key", refused[2]);
        Assert.Contains("The same voter key is on line 5", refused[3]);
    }

    [Fact]
    public async Task A_closed_rounds_register_page_says_the_register_is_final_and_offers_no_upload()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "名簿確定の画面" }), 200);
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "admin");
        var page = session.Page;

        await page.GotoAsync(new Uri(platform.Web, $"/admin/rounds/{roundId}/register").ToString());
        await page.Locator("[data-interactive=true]").WaitForAsync();
        Assert.Contains("投票者名簿は確定しているため", await page.GetByTestId("register-final").InnerTextAsync());
        Assert.Equal(0, await page.GetByTestId("register-file").CountAsync());
        await session.AssertAccessibleAsync("a closed round's register page (ja)");

        await session.SwitchLanguageAsync("en");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        Assert.Contains("Its voter register is final", await page.GetByTestId("register-final").InnerTextAsync());
    }
}
