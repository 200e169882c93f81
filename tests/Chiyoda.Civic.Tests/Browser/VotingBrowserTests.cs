using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>The resident vote in the demo round (voting open, the 2024 shortlist, the demo register).</summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(WalkPlatformCollection.Name)]
public sealed class VotingBrowserTests(WalkPlatformFixture platform)
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
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/vote").ToString(), new() { Timeout = 45_000 });
        await session.WaitForOrExplainAsync(platform, page.Locator("fieldset#choices"), "the choices");
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

        // 「投票結果のお知らせ」 on a phone: asking and stopping reopen the page at that section with its new state on screen.
        await session.Page.SetViewportSizeAsync(390, 844);
        await session.Page.GetByTestId("results-notice-button").ClickAsync();
        await session.Page.GetByTestId("results-notice-state").Filter(new() { HasText = "投票結果が公表されたらお知らせします" }).WaitForAsync();
        await Assertions.Expect(session.Page.GetByTestId("results-notice-state")).ToBeInViewportAsync();
        await session.Page.GetByTestId("results-notice-button").ClickAsync();
        await session.Page.GetByTestId("results-notice-state").Filter(new() { HasText = "取りやめました" }).WaitForAsync();
        await Assertions.Expect(session.Page.GetByTestId("results-notice-state")).ToBeInViewportAsync();
        await session.Page.SetViewportSizeAsync(1280, 800);

        // Home no longer asks them to vote in this round: it says they have, and leads to their ballot.
        await session.Page.GotoAsync(platform.Web.ToString());
        var card = session.Page.Locator($"[data-testid=round-card][data-round-id={Round}]");
        Assert.Contains("投票済み", await card.GetByTestId("already-voted").InnerTextAsync());
        Assert.Equal($"/rounds/{Round}/ballot", await card.GetByTestId("see-my-ballot").GetAttributeAsync("href"));
        Assert.Equal(0, await card.GetByTestId("vote-now").CountAsync());
    }

    [Fact]
    public async Task A_resident_votes_and_changes_the_vote_in_english()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "resident-80");
        await session.SwitchLanguageAsync("en");

        await VoteWithTheKeyboardAsync(session, [3, 5], "en");
        Assert.Contains("Your vote has been received", await session.Page.GetByTestId("vote-received").InnerTextAsync());
        await VoteWithTheKeyboardAsync(session, [6], "en, changed");
        Assert.Contains("Chiyoda AI Helpdesk", await session.Page.GetByTestId("receipt-choices").InnerTextAsync());
    }

    [Fact]
    public async Task A_fourth_choice_is_stopped_as_it_is_ticked_and_the_server_still_refuses_it()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "resident-18");
        var page = session.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/vote").ToString());
        Assert.StartsWith("提案を選ぶ", await page.TitleAsync());

        foreach (var n in new[] { 1, 2, 3 })
        {
            await page.Locator($"#choice-{n}").CheckAsync();
        }

        Assert.Contains("3つ選んでいます", await page.Locator("#choices-count").InnerTextAsync());
        await page.Locator("#choice-4").ClickAsync();
        Assert.False(await page.Locator("#choice-4").IsCheckedAsync());
        Assert.Contains("3つまで", await page.Locator("#choices-count").InnerTextAsync());

        // On a phone the explanation is in sight of the last box ticked, not at the top of a long list.
        await page.SetViewportSizeAsync(390, 844);
        await page.Locator("#choice-7").ClickAsync();
        Assert.False(await page.Locator("#choice-7").IsCheckedAsync());
        var box = await page.Locator("#choices-count").BoundingBoxAsync();
        Assert.True(box is not null && box.Y >= 0 && box.Y + box.Height <= 844, $"the limit message is on screen (at y={box?.Y})");
        await page.SetViewportSizeAsync(1280, 800);
        await session.AssertAccessibleAsync("the choose page stopping a 4th choice");

        // A browser without the script (or a forged form) sends four: the server refuses, names the field,
        // and the error summary above the heading takes the focus.
        await page.Locator("#choice-4").EvaluateAsync("box => box.checked = true");
        await page.GetByTestId("continue").ClickAsync();
        var error = page.GetByTestId("choose-error");
        await error.WaitForAsync();
        Assert.Contains("投票する提案：選べる提案は3つまでです", await error.InnerTextAsync());
        await session.WaitUntilAsync("document.activeElement?.dataset.testid === 'choose-error'");
        Assert.StartsWith("エラー：提案を選ぶ", await page.TitleAsync());
        await session.AssertAccessibleAsync("the choose page with an error");
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/ballot").ToString());
        await page.GetByTestId("no-ballot").WaitForAsync();
    }

    [Fact]
    public async Task A_seventeen_year_old_who_comes_of_age_after_the_close_is_told_they_cannot_vote_in_this_round()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "resident-17");
        var page = session.Page;

        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/vote").ToString());
        var refusal = page.GetByTestId("vote-refused");
        await refusal.WaitForAsync();
        Assert.Equal("under-age", await refusal.GetAttributeAsync("data-code"));
        // resident-17 turns 18 about nine months from now; the demo vote closes within six weeks.
        Assert.Matches(@"\d{4}年\d{1,2}月\d{1,2}日.*より後のため、今回は投票できません", await page.GetByTestId("eligible-after-close").InnerTextAsync());
        Assert.Equal("この区民投票には投票できません", (await page.GetByTestId("refusal-heading").InnerTextAsync()).Trim());
        Assert.Equal(0, await page.GetByTestId("eligible-from").CountAsync());
        Assert.Equal(0, await page.Locator("fieldset#choices").CountAsync());
        Assert.StartsWith("投票できません", await page.TitleAsync());
        await session.AssertAccessibleAsync("the refusal page (ja)");

        await session.SwitchLanguageAsync("en");
        Assert.Matches(@"You reach voting age on \d{1,2} \w+ \d{4}, after this vote's last day", await page.GetByTestId("eligible-after-close").InnerTextAsync());
        await session.AssertAccessibleAsync("the refusal page (en)");

        // Their ballot page does not say "not voted yet" (as if they should) but that they cannot vote, and links to why.
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/ballot").ToString());
        Assert.DoesNotContain("not voted yet", await page.GetByTestId("no-ballot").InnerTextAsync());
        Assert.Equal($"/rounds/{Round}/vote", await page.GetByTestId("why-not").GetAttributeAsync("href"));
        Assert.Equal(0, await page.GetByTestId("change-vote").CountAsync());
    }

    [Fact]
    public async Task Someone_not_on_the_register_is_told_why_and_whom_to_ask()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "worker");
        var page = session.Page;

        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/vote").ToString());
        Assert.Equal("not-on-register", await page.GetByTestId("vote-refused").GetAttributeAsync("data-code"));
        Assert.Equal("投票者名簿にあなたの登録が見つかりません", (await page.GetByTestId("refusal-heading").InnerTextAsync()).Trim());
        Assert.Contains("区役所", await page.GetByTestId("whom-to-ask").InnerTextAsync());
    }

    [Fact]
    public async Task The_voting_pages_are_accessible_on_a_phone()
    {
        await using var session = await BrowserSession.OpenAsync(platform, 390, 844);
        await session.SignInAsync(platform, "voter:d-0003");
        await VoteWithTheKeyboardAsync(session, [1, 2], "ja, phone");
        await session.SwitchLanguageAsync("en");
        await VoteWithTheKeyboardAsync(session, [5], "en, phone");
    }
}
