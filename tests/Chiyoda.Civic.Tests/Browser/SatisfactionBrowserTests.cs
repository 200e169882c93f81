using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// A voter on a 390×844 phone answers 「満足度」 on their ballot page (keyboard-free: tap a rating, send), is thanked, and is
/// not asked again on the results page; anyone then reads 「統計」 in Japanese and English; an administrator opens the
/// status-path editor and gets a clear message for a broken line. axe on every page.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(WalkPlatformCollection.Name)]
public sealed class SatisfactionBrowserTests(WalkPlatformFixture platform)
{
    [Fact]
    public async Task A_voter_rates_on_a_phone_and_the_statistics_page_reads_in_both_languages()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var key = $"b{Guid.NewGuid():N}"[..12];
        var roundId = await PaperApi.RoundAsync(admin, key);
        using (var voter = await platform.ApiClientAsync("voter:" + key))
        {
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), [1, 2])), 200);
        }

        await using var session = await BrowserSession.OpenAsync(platform, 390, 844);
        var page = session.Page;
        await session.SignInAsync(platform, "voter:" + key);
        await page.GotoAsync(new Uri(platform.Web, $"/culture/ja?returnUrl=/rounds/{roundId}/ballot").ToString());
        var form = page.GetByTestId("satisfaction-form");
        await form.WaitForAsync();
        Assert.Contains("満足度", await page.GetByTestId("satisfaction").InnerTextAsync());
        await session.AssertAccessibleAsync("the satisfaction question on the ballot page (ja, phone)");

        // Sending without a rating says what to do; then a rating and a comment are taken, once.
        await page.GetByTestId("satisfaction-submit").ClickAsync();
        await page.GetByTestId("satisfaction-error").WaitForAsync();
        Assert.Contains("1つ選んで", await page.GetByTestId("satisfaction-error").InnerTextAsync());
        await page.GetByLabel("4 やや満足").CheckAsync();
        await page.Locator("textarea[name=Comment]").FillAsync("わかりやすかったです");
        await page.GetByTestId("satisfaction-submit").ClickAsync();
        await page.GetByTestId("satisfaction-thanks").WaitForAsync();
        await PageWalk.ScreenshotAsync(page, "satisfaction-thanks-ja-phone");
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{roundId}/ballot").ToString());
        await page.GetByTestId("satisfaction-done").WaitForAsync();
        Assert.Equal(0, await page.GetByTestId("satisfaction-form").CountAsync());

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "テスト: 早期締切" }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);

        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{roundId}/results").ToString());
        await page.GetByTestId("satisfaction-done").WaitForAsync();
        Assert.Equal(0, await page.GetByTestId("satisfaction-form").CountAsync());

        foreach (var language in new[] { "ja", "en" })
        {
            await page.GotoAsync(new Uri(platform.Web, $"/culture/{language}?returnUrl=/statistics").ToString());
            var round = page.Locator($"[data-round='{roundId}']");
            await round.WaitForAsync();
            Assert.Contains(language == "ja" ? "満足度" : "Satisfaction", await round.InnerTextAsync());
            Assert.Contains(language == "ja" ? "非表示（10人未満）" : "hidden (under 10)", await round.InnerTextAsync());
            Assert.Equal("1", (await round.GetByTestId("round-voters").InnerTextAsync()).Trim());
            Assert.True(await round.GetByTestId("stat-table").CountAsync() >= 4, "every chart has its table");
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "no horizontal scroll on a phone");
            await session.AssertAccessibleAsync($"「統計」 on a phone ({language})");
            await PageWalk.ScreenshotAsync(page, $"statistics-{language}-phone");
        }

        await using var staff = await BrowserSession.OpenAsync(platform, 1280, 800);
        await staff.SignInAsync(platform, "admin");
        await staff.Page.GotoAsync(new Uri(platform.Web, "/culture/ja?returnUrl=/admin/implementation/path").ToString());
        await staff.Page.GetByTestId("path-form").WaitForAsync();
        await staff.AssertAccessibleAsync("the status-path editor");
        var lines = staff.Page.GetByTestId("path-lines");
        Assert.StartsWith("adopted | 採用 | Adopted", await lines.InputValueAsync());
        await lines.FillAsync((await lines.InputValueAsync()) + "\nBad Id | 名前 | Name");
        await staff.Page.GetByTestId("path-save").ClickAsync();
        await staff.Page.GetByTestId("path-errors").WaitForAsync();
        Assert.Contains("8行目", await staff.Page.GetByTestId("path-errors").InnerTextAsync());
        await staff.AssertAccessibleAsync("the status-path editor with an error");
    }
}
