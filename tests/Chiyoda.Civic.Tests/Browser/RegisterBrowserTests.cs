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
}
