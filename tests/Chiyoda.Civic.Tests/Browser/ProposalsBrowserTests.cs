using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chiyoda.Civic.Tests.Proposals.ProposalApiSamples;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// Issue 3 in the browser, in Japanese and in English: a resident submits a proposal, an administrator
/// assigns the screener, the screener scores it and advances it through the three stages, another
/// proposal is declined in bulk from the queue, the administrator shortlists the first, and the
/// public sees the shortlist. axe (WCAG 2.2 AA) runs on every page of the issue on the way.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(PlatformCollection.Name)]
public sealed class ProposalsBrowserTests(PlatformFixture platform)
{
    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public async Task A_proposal_goes_from_a_resident_through_screening_to_the_public_shortlist(string language)
    {
        try
        {
            await JourneyAsync(language);
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            // A page that never becomes interactive has usually failed on the server: show why.
            throw new TimeoutException($"{e.Message}\nRecent platform output:\n{platform.WebProcess.RecentOutput}", e);
        }
    }

    private async Task JourneyAsync(string language)
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var otherResident = await platform.ApiClientAsync("resident-18");
        var roundId = await OpenRoundAsync(admin);
        var title = $"ブラウザ提案 {language} {Guid.NewGuid().ToString("N")[..6]}";
        var other = await HttpAssertions.JsonAsync(await otherResident.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", Body($"一括で不採用 {language}")), 201);
        var otherId = other.GetProperty("proposalId").GetString()!;

        // The resident writes and submits a proposal in the editor.
        await using (var resident = await OpenAsync(language, "resident-45"))
        {
            var page = resident.Page;
            await GoAsync(page, $"/rounds/{roundId}/propose");
            await page.Locator("form[data-interactive=true]").WaitForAsync();
            await resident.AssertAccessibleAsync($"the proposal editor ({language})");
            await page.Locator("#title").FillAsync(title);
            await page.Locator("#summary").FillAsync("区の手続きをオンラインで完結させます。");
            await page.Locator("#problem").FillAsync("窓口に何度も足を運ぶ必要がある。");
            await page.Locator("#solution").FillAsync("オンライン申請と進み具合の通知。");
            await page.Locator("#effect").FillAsync("来庁の回数が減る。");
            await page.Locator("#category").SelectOptionAsync("administration");
            await page.GetByTestId("submit-proposal").ClickAsync();
            await page.GetByTestId("proposal-message").WaitForAsync();

            await GoAsync(page, "/my-proposals");
            await page.GetByText(title).First.WaitForAsync();
            await resident.AssertAccessibleAsync($"my proposals ({language})");
            await GoAsync(page, "/inbox");
            await resident.AssertAccessibleAsync($"the inbox ({language})");
        }

        // The screener has signed in once (so the staff directory knows them); the administrator picks them by
        // name and assigns them to every stage on the assignment page.
        await using (await OpenAsync(language, "screener"))
        {
        }

        await using var adminSession = await OpenAsync(language, "admin");
        var adminPage = adminSession.Page;
        await GoAsync(adminPage, $"/admin/screening/{roundId}/assignments");
        await adminPage.Locator("[data-interactive=true]").WaitForAsync();
        await adminSession.AssertAccessibleAsync($"the screener assignment page ({language})");
        await adminPage.Locator("#screener-pick").SelectOptionAsync("screener");
        foreach (var stage in new[] { 1, 2, 3 })
        {
            await adminPage.Locator($"#stage-{stage}").CheckAsync();
        }

        await adminPage.GetByTestId("save-assignment").ClickAsync();
        await adminPage.GetByTestId("assignment-message").WaitForAsync();
        await adminPage.GetByTestId("assignment-row").Filter(new() { HasText = "screener" }).WaitForAsync();

        await CloseCallAsync(admin, roundId);

        // The screener finds the proposal in the queue, scores it and advances it through the stages.
        await using (var screener = await OpenAsync(language, "screener"))
        {
            var page = screener.Page;
            await GoAsync(page, $"/screening/{roundId}");
            await page.Locator("[data-interactive=true]").WaitForAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = title }).WaitForAsync();
            await screener.AssertAccessibleAsync($"the screening queue ({language})");

            // Bulk: the other proposal is declined at intake with a public reason.
            await page.GetByTestId($"select-{otherId}").CheckAsync();
            await page.Locator("#bulk-Decline").CheckAsync();
            await page.Locator("#bulk-message-text").FillAsync("区の事業として実施済みのため。");
            await page.GetByTestId("bulk-apply").ClickAsync();
            await page.GetByTestId("bulk-message").WaitForAsync();
            Assert.Equal(0, await page.GetByTestId("bulk-errors").CountAsync());

            await page.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
            await page.WaitForURLAsync(url => url.Contains($"/screening/{roundId}/", StringComparison.Ordinal));
            await page.Locator("[data-interactive=true]").WaitForAsync();
            var proposalId = page.Url.Split('/')[^1];
            await screener.AssertAccessibleAsync($"the review page at intake ({language})");

            // Intake: advancing without a reason is fine; a decline without one is refused field by field.
            await page.GetByTestId("decision-decline").CheckAsync();
            await page.GetByTestId("decide").ClickAsync();
            await page.Locator("#err-message[role=alert]").WaitForAsync();
            await screener.AssertAccessibleAsync($"the review page showing an error ({language})");
            await page.GetByTestId("decision-advance").CheckAsync();
            await page.GetByTestId("decide").ClickAsync();
            await page.GetByTestId("score-form").WaitForAsync();

            // Departmental review: a private note, scores (advancing needs them), then advance.
            await page.Locator("#note-text").FillAsync("所管課で確認済み（内部メモ）");
            await page.GetByTestId("add-note").ClickAsync();
            await page.GetByTestId("notes").Filter(new() { HasText = "内部メモ" }).WaitForAsync();
            foreach (var (criterion, score) in new[] { ("benefit", 5), ("feasibility", 4), ("cost", 3), ("strategy", 5) })
            {
                await page.Locator($"#score-{criterion}-{score}").CheckAsync();
            }

            await page.GetByTestId("save-scores").ClickAsync();
            await page.GetByTestId("score-sheet").WaitForAsync();
            Assert.Equal("4.25", (await page.GetByTestId("review-weighted").InnerTextAsync()).Trim());
            await screener.AssertAccessibleAsync($"the review page with scores ({language})");
            await page.GetByTestId("decide").ClickAsync();
            await page.GetByTestId("review-stage").Filter(new() { HasText = "3." }).WaitForAsync();

            // The committee selects it.
            await page.GetByTestId("decide").ClickAsync();
            await page.GetByTestId("decision-form").WaitForAsync(new() { State = WaitForSelectorState.Detached });

            // The administrator puts it on the ballot and publishes.
            await GoAsync(adminPage, $"/admin/screening/{roundId}/shortlist");
            await adminPage.Locator("[data-interactive=true]").WaitForAsync();
            await adminSession.AssertAccessibleAsync($"the committee shortlist page ({language})");
            await adminPage.GetByTestId($"add-{proposalId}").ClickAsync();
            await adminPage.GetByTestId("publish-shortlist").ClickAsync();
            await adminPage.GetByTestId("shortlist-message").WaitForAsync();
            await adminSession.AssertAccessibleAsync($"the committee shortlist page after publishing ({language})");

            await GoAsync(adminPage, $"/admin/audit?round={roundId}");
            await adminPage.GetByTestId("audit-row").Filter(new() { HasText = "shortlist.publish" }).WaitForAsync();
            Assert.True(await adminPage.GetByTestId("audit-row").Filter(new() { HasText = "proposal.decide.decline" }).CountAsync() >= 1);
            await adminSession.AssertAccessibleAsync($"the audit log ({language})");

            // The public (signed out) sees the shortlist, and not the private note.
            await using var visitor = await OpenAsync(language, account: null);
            await GoAsync(visitor.Page, $"/rounds/{roundId}/proposals");
            var shortlist = visitor.Page.GetByTestId("shortlist");
            await shortlist.GetByRole(AriaRole.Link, new() { Name = title }).WaitForAsync();
            await visitor.AssertAccessibleAsync($"the public proposal list ({language})");
            await shortlist.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
            await visitor.Page.WaitForURLAsync(url => url.EndsWith($"/proposals/{proposalId}", StringComparison.Ordinal));
            Assert.DoesNotContain("内部メモ", await visitor.Page.Locator("main").InnerTextAsync());
            await visitor.AssertAccessibleAsync($"the public proposal page ({language})");
        }
    }

    [Fact]
    public async Task The_demo_round_shows_its_shortlisted_proposals_and_some_that_did_not_make_it()
    {
        using var anonymous = await platform.ApiClientAsync();
        var list = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024/proposals?take=100"), 200);
        var items = list.GetProperty("items").EnumerateArray().ToList();
        var shortlisted = items.Where(i => i.GetProperty("status").GetString() == "shortlisted")
            .OrderBy(i => i.GetProperty("ballotNumber").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, 7), shortlisted.Select(i => i.GetProperty("ballotNumber").GetInt32()));
        Assert.Equal("デジタル書面送付サービス", shortlisted[0].GetProperty("title").GetString());
        Assert.Equal(5, items.Count(i => i.GetProperty("status").GetString() is "declined" or "withdrawn"));
    }

    /// <summary>A fresh browser in the language, signed in as the account (or signed out).</summary>
    private async Task<BrowserSession> OpenAsync(string language, string? account)
    {
        var session = await BrowserSession.OpenAsync(platform);
        if (account is not null)
        {
            await session.SignInAsync(platform, account);
        }

        if (language != "ja")
        {
            await GoAsync(session.Page, $"/culture/{language}?returnUrl=/");
            await session.Page.WaitForFunctionAsync($"document.documentElement.lang === '{language}'");
        }

        return session;
    }

    private async Task GoAsync(IPage page, string path) => await page.GotoAsync(new Uri(platform.Web, path).ToString());
}
