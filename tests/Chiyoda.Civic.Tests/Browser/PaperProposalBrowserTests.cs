using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Proposals;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>A screener enters a proposal that arrived by mail, as a new staff member would: an era date wrong first, then right.</summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(WalkPlatformCollection.Name)]
public sealed class PaperProposalBrowserTests(WalkPlatformFixture platform)
{
    [Fact]
    public async Task A_screener_enters_a_mailed_proposal_and_it_waits_for_screening_marked_as_received_on_paper()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ProposalApiSamples.OpenRoundAsync(admin);
        var problems = new List<string>();
        await using var session = await BrowserSession.OpenAsync(platform, 1280, 800);
        await session.SignInAsync(platform, "screener");
        var page = session.Page;

        await page.GotoAsync(new Uri(platform.Web, $"/screening/{roundId}").ToString());
        await page.GetByTestId("link-paper-proposal").ClickAsync();
        await page.GetByTestId("paper-proposal-form").WaitForAsync();
        await CheckAsync(session, "form", "ja", problems);

        await page.GetByTestId("paper-received-on").FillAsync("平成32年1月1日");
        await page.GetByTestId("paper-proposer-name").FillAsync("神保 町子");
        await page.GetByTestId("paper-proposer-contact").FillAsync("千代田区神田神保町1-1");
        await page.Locator("#channel").SelectOptionAsync("mail");
        await page.GetByTestId("paper-title").FillAsync("郵送で届いた提案");
        await page.GetByTestId("paper-summary").FillAsync("区の掲示板をデジタルでも読めるようにします。");
        await page.GetByTestId("paper-problem").FillAsync("掲示板の前まで行かないとお知らせが読めない。");
        await page.GetByTestId("paper-solution").FillAsync("掲示内容をウェブとアプリで配信する。");
        await page.GetByTestId("paper-effect").FillAsync("外出が難しい人にも届く。");
        await page.GetByTestId("paper-category").SelectOptionAsync("children-education");
        await page.GetByTestId("paper-proposal-submit").ClickAsync();
        var errors = page.GetByTestId("paper-proposal-errors");
        await errors.WaitForAsync();
        Assert.Contains("受付日", await errors.InnerTextAsync());
        Assert.Equal("郵送で届いた提案", await page.GetByTestId("paper-title").InputValueAsync());
        await CheckAsync(session, "form-error", "ja", problems);

        await page.GetByTestId("paper-received-on").FillAsync(Chiyoda.Civic.Abstractions.Common.WardDates.ToEra(Chiyoda.Civic.Abstractions.Common.WardClock.Today(TimeProvider.System)));
        await page.GetByTestId("paper-proposal-submit").ClickAsync();
        await page.GetByTestId("paper-proposal-entered").WaitForAsync(new() { Timeout = 30_000 });
        Assert.Equal("mail", await page.GetByTestId("review-intake").GetAttributeAsync("data-channel"));
        Assert.Contains("郵送", await page.GetByTestId("review-intake").InnerTextAsync());

        await page.GotoAsync(new Uri(platform.Web, $"/screening/{roundId}/paper/new").ToString());
        await session.SwitchLanguageAsync("en");
        await page.GetByTestId("paper-proposal-form").WaitForAsync();
        await CheckAsync(session, "form", "en", problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task CheckAsync(BrowserSession session, string name, string language, List<string> problems)
    {
        var page = session.Page;
        await session.AssertAccessibleAsync($"paper proposal {name} ({language})");
        problems.AddRange((await PageWalk.LanguageProblemsAsync(page, language)).Select(p => $"{name}: {p}"));
        problems.AddRange((await PageWalk.ControlBoundaryProblemsAsync(page)).Select(p => $"{name}: {p}"));
        foreach (var (width, height, viewport) in PageWalk.Viewports)
        {
            await page.SetViewportSizeAsync(width, height);
            await PageWalk.ScreenshotAsync(page, $"paper-proposal-{name}-{language}-{viewport}");
        }

        await page.SetViewportSizeAsync(1280, 800);
    }
}
