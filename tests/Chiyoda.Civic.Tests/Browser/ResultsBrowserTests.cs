using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;
using Chiyoda.Civic.Tests.Ballots;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>An administrator closes, counts, certifies and publishes; the public sees the results page (ja and en).</summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(SecondPlatformCollection.Name)]
public sealed class ResultsBrowserTests(SecondPlatformFixture platform)
{
    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public async Task An_administrator_publishes_the_results_and_the_public_reads_them(string language)
    {
        using var admin = await platform.ApiClientAsync("admin");
        var keys = Enumerable.Range(0, 3).Select(n => $"b{n}{Guid.NewGuid():N}"[..12]).ToList();
        var roundId = await PaperApi.RoundAsync(admin, [.. keys]);
        foreach (var (key, choices) in keys.Zip(new[] { new[] { 1, 2 }, [2], [2, 3, 1] }))
        {
            using var voter = await platform.ApiClientAsync("voter:" + key);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), choices)), 200);
        }

        await using var session = await BrowserSession.OpenAsync(platform);
        var page = session.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/culture/{language}?returnUrl=/").ToString());
        await session.SignInAsync(platform, "admin");

        await page.GotoAsync(new Uri(platform.Web, $"/admin/rounds/{roundId}/counting").ToString());
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await session.AssertAccessibleAsync($"the counting page ({language})");
        await page.Locator("#close-reason").FillAsync(language == "ja" ? "ブラウザ試験のため" : "Browser test");
        // A close cannot be undone: it is asked once more, and "cancel" leaves the vote open.
        await page.GetByTestId("close-now").ClickAsync();
        await page.GetByTestId("confirm-cancel").ClickAsync();
        Assert.Equal(0, await page.GetByTestId("closed").CountAsync());
        await page.GetByTestId("close-now").ClickAsync();
        await page.GetByTestId("confirm-yes").ClickAsync();
        await page.GetByTestId("closed").WaitForAsync();

        await page.GetByTestId("count").ClickAsync();
        await page.GetByTestId("count-matches").WaitForAsync();
        // Certifying and publishing cannot be undone: each is asked once more, and cancelling changes nothing.
        await page.GetByTestId("certify").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alertdialog)).ToBeVisibleAsync();
        await PageWalk.ScreenshotAsync(page, $"counting-certify-confirm-{language}");
        await page.GetByTestId("confirm-cancel").ClickAsync();
        Assert.Equal(0, await page.GetByTestId("certified").CountAsync());
        await page.GetByTestId("certify").ClickAsync();
        await page.GetByTestId("confirm-yes").ClickAsync();
        await page.GetByTestId("certified").WaitForAsync();
        await session.AssertAccessibleAsync($"the counting page after certification ({language})");
        await page.GetByTestId("publish").ClickAsync();
        await page.GetByTestId("confirm-cancel").ClickAsync();
        Assert.Equal(0, await page.GetByTestId("published").CountAsync());
        await page.GetByTestId("publish").ClickAsync();
        await page.GetByTestId("confirm-yes").ClickAsync();
        await page.GetByTestId("published").WaitForAsync();

        // The public, signed out, reads the results.
        await using var reader = await BrowserSession.OpenAsync(platform);
        await reader.Page.GotoAsync(new Uri(platform.Web, $"/culture/{language}?returnUrl=/rounds/{roundId}/results").ToString());
        await reader.Page.GetByTestId("results-table").WaitForAsync();
        Assert.Equal("3", (await reader.Page.GetByTestId("total-voters").InnerTextAsync()).Trim());
        Assert.Equal("6", (await reader.Page.GetByTestId("total-votes").InnerTextAsync()).Trim());
        Assert.Equal(4, await reader.Page.GetByTestId("downloads").Locator("code").CountAsync());
        await reader.AssertAccessibleAsync($"the public results page ({language})");
    }

    [Fact]
    public async Task The_results_page_says_results_are_not_published_before_publication()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        await using var reader = await BrowserSession.OpenAsync(platform);
        await reader.Page.GotoAsync(new Uri(platform.Web, $"/rounds/{roundId}/results").ToString());
        await reader.Page.GetByTestId("results-not-published").WaitForAsync();
        Assert.Equal(0, await reader.Page.GetByTestId("results-table").CountAsync());
        await reader.AssertAccessibleAsync("the results page before publication");
    }
}
