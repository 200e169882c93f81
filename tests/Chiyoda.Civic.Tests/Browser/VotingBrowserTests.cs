using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>The resident vote in the demo round (voting open, the 2024 shortlist, the demo register).</summary>
[Collection(PlatformCollection.Name)]
public sealed class VotingBrowserTests(PlatformFixture platform)
{
    private const string Round = "demo-2024";

    /// <summary>Moves focus with Tab (as a keyboard user does) until the element with this id has it.</summary>
    private static async Task TabToAsync(IPage page, string id)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string?>("() => document.activeElement?.id") == id)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Tab never reached #{id}");
    }

    private static async Task TabToTestIdAsync(IPage page, string testId)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('data-testid')") == testId)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Tab never reached [data-testid={testId}]");
    }

    private async Task VoteWithTheKeyboardAsync(BrowserSession session, int[] choices, string language)
    {
        var page = session.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/vote").ToString());
        await page.Locator("fieldset#choices").WaitForAsync();
        await session.AssertAccessibleAsync($"the choose page ({language})");

        // A changed vote starts from the current choices: clear them first.
        var checkedIds = await page.Locator("fieldset#choices input[type=checkbox]:checked").EvaluateAllAsync<string[]>("boxes => boxes.map(b => b.id)");
        foreach (var id in checkedIds)
        {
            await TabToAsync(page, id);
            await page.Keyboard.PressAsync("Space");
        }

        foreach (var choice in choices)
        {
            await TabToAsync(page, $"choice-{choice}");
            await page.Keyboard.PressAsync("Space");
        }

        await TabToTestIdAsync(page, "continue");
        await page.Keyboard.PressAsync("Enter");
        var confirmOrError = page.GetByTestId("confirm-choices").Or(page.GetByTestId("choose-error")).Or(page.GetByTestId("vote-refused"));
        await confirmOrError.First.WaitForAsync();
        Assert.True(await page.GetByTestId("confirm-choices").IsVisibleAsync(), $"no confirm step ({language}): {await page.Locator("main").InnerTextAsync()}");
        await session.AssertAccessibleAsync($"the confirm page ({language})");
        Assert.Equal(choices.Length, await page.GetByTestId("confirm-choices").Locator("li").CountAsync());

        await TabToTestIdAsync(page, "confirm-vote");
        await page.Keyboard.PressAsync("Enter");
        await page.GetByTestId("vote-received").WaitForAsync();
        await session.AssertAccessibleAsync($"the receipt page ({language})");
        var numbers = await page.GetByTestId("receipt-choices").Locator(".ballot-number").AllInnerTextsAsync();
        Assert.Equal(choices.Order().Select(c => c.ToString()), numbers.Select(n => n.Trim()));
    }

    [Fact]
    public async Task A_resident_votes_changes_the_vote_and_sees_the_receipt_with_the_keyboard_only_in_japanese()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "resident-45");

        await VoteWithTheKeyboardAsync(session, [1, 4, 7], "ja");
        var firstCode = await session.Page.GetByTestId("receipt-code").InnerTextAsync();
        Assert.Contains("投票を受け付けました", await session.Page.GetByTestId("vote-received").InnerTextAsync());

        await VoteWithTheKeyboardAsync(session, [2], "ja, changed");
        Assert.NotEqual(firstCode, await session.Page.GetByTestId("receipt-code").InnerTextAsync());
        Assert.Contains("スクールカレンダー", await session.Page.GetByTestId("receipt-choices").InnerTextAsync());
    }

    [Fact]
    public async Task A_resident_votes_and_changes_the_vote_in_english()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "resident-80");
        await session.Page.GetByTestId("language-switch").ClickAsync();
        await session.Page.WaitForFunctionAsync("document.documentElement.lang === 'en'");

        await VoteWithTheKeyboardAsync(session, [3, 5], "en");
        Assert.Contains("Your vote has been received", await session.Page.GetByTestId("vote-received").InnerTextAsync());
        await VoteWithTheKeyboardAsync(session, [6], "en, changed");
        Assert.Contains("Chiyoda AI Helpdesk", await session.Page.GetByTestId("receipt-choices").InnerTextAsync());
    }

    [Fact]
    public async Task Choosing_too_many_is_explained_and_nothing_is_cast()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "resident-18");
        var page = session.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/vote").ToString());

        foreach (var n in new[] { 1, 2, 3, 4 })
        {
            await page.Locator($"#choice-{n}").CheckAsync();
        }

        await page.GetByTestId("continue").ClickAsync();
        var error = page.GetByTestId("choose-error");
        await error.WaitForAsync();
        Assert.Contains("3つまで", await error.InnerTextAsync());
        await session.AssertAccessibleAsync("the choose page with an error");
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/ballot").ToString());
        await page.GetByTestId("no-ballot").WaitForAsync();
    }

    [Fact]
    public async Task A_seventeen_year_old_is_told_from_which_date_they_can_vote_in_both_languages()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "resident-17");
        var page = session.Page;

        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/vote").ToString());
        var refusal = page.GetByTestId("vote-refused");
        await refusal.WaitForAsync();
        Assert.Equal("under-age", await refusal.GetAttributeAsync("data-code"));
        Assert.Matches(@"\d{4}年\d{1,2}月\d{1,2}日.*から投票できます", await page.GetByTestId("eligible-from").InnerTextAsync());
        Assert.Equal(0, await page.Locator("fieldset#choices").CountAsync());
        await session.AssertAccessibleAsync("the refusal page (ja)");

        await page.GetByTestId("language-switch").ClickAsync();
        await page.WaitForFunctionAsync("document.documentElement.lang === 'en'");
        Assert.Matches(@"You can vote from \d{1,2} \w+ \d{4}", await page.GetByTestId("eligible-from").InnerTextAsync());
        await session.AssertAccessibleAsync("the refusal page (en)");
    }

    [Fact]
    public async Task The_voting_pages_are_accessible_on_a_phone()
    {
        await using var session = await BrowserSession.OpenAsync(platform, 390, 844);
        await session.SignInAsync(platform, "voter:d-0003");
        await VoteWithTheKeyboardAsync(session, [1, 2], "ja, phone");
        await session.Page.GetByTestId("language-switch").ClickAsync();
        await session.Page.WaitForFunctionAsync("document.documentElement.lang === 'en'");
        await VoteWithTheKeyboardAsync(session, [5], "en, phone");
    }
}
