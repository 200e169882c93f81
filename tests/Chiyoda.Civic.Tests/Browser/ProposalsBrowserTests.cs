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
[Collection(SecondPlatformCollection.Name)]
public sealed class ProposalsBrowserTests(SecondPlatformFixture platform)
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

        // A proposal of the resident's that the ward returns for changes, with its request.
        using var residentApi = await platform.ApiClientAsync("resident-45");
        var returned = await HttpAssertions.JsonAsync(await residentApi.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", Body($"差し戻し {language}")), 201);
        var returnedId = returned.GetProperty("proposalId").GetString()!;
        const string request = "費用の見積もりを書き加えてください。";
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals/{returnedId}/reviews/decisions",
            new { stage = 1, decision = "return", message = request, decisionId = "return-" + language }), 200);

        // The resident writes and submits a proposal in the editor.
        await using (var resident = await OpenAsync(language, "resident-45"))
        {
            var page = resident.Page;

            // Outside its call a round offers no form: the call's dates and the way back to the round instead.
            await GoAsync(page, "/rounds/demo-2024/propose");
            await page.GetByTestId("call-closed").WaitForAsync();
            Assert.Equal(0, await page.Locator("form.proposal-form").CountAsync());
            Assert.Equal("/rounds/demo-2024", await page.GetByTestId("back-to-round").GetAttributeAsync("href"));

            await GoAsync(page, $"/rounds/{roundId}/propose");
            await page.Locator("form[data-interactive=true]").WaitForAsync();
            await resident.AssertAccessibleOnTheJapaneseRunAsync($"the proposal editor", language);

            // No relation to the ward is assumed; submitting and saving look different.
            Assert.Equal("", await page.Locator("#relation").InputValueAsync());
            const string background = "b => getComputedStyle(b).backgroundColor";
            Assert.NotEqual(await page.GetByTestId("submit-proposal").EvaluateAsync<string>(background),
                await page.GetByTestId("save-draft").EvaluateAsync<string>(background));

            // Submitting an empty form lists every missing field at once, each by name; drop-downs ask to choose.
            await page.GetByTestId("submit-proposal").ClickAsync();
            var summary = page.GetByTestId("proposal-errors");
            await summary.WaitForAsync();
            Assert.Equal(7, await summary.Locator("li").CountAsync());
            var summaryText = await summary.InnerTextAsync();
            Assert.Contains(language == "ja" ? "分野：選んでください" : "Category: choose one", summaryText);
            Assert.Contains(language == "ja" ? "区との関わり：選んでください" : "Relation to the ward: choose one", summaryText);

            // A draft (title and relation) saved: it was never submitted, so there is nothing to withdraw.
            await page.Locator("#title").FillAsync(title);
            await page.Locator("#relation").SelectOptionAsync("Lives");
            await page.GetByTestId("save-draft").ClickAsync();
            await page.GetByTestId("proposal-message").WaitForAsync();
            Assert.Equal(0, await page.GetByTestId("withdraw").CountAsync());

            // The preview opens above the form: focus (and the view) moves to it.
            await page.GetByTestId("preview").ClickAsync();
            await Assertions.Expect(page.Locator("#preview-heading")).ToBeFocusedAsync(new() { Timeout = 15_000 });

            await page.Locator("#summary").FillAsync("区の手続きをオンラインで完結させます。");
            await page.Locator("#problem").FillAsync("窓口に何度も足を運ぶ必要がある。");
            await page.Locator("#solution").FillAsync("オンライン申請と進み具合の通知。");
            await page.Locator("#effect").FillAsync("来庁の回数が減る。");
            await page.Locator("#category").SelectOptionAsync("administration");
            await page.GetByTestId("submit-proposal").ClickAsync();
            // The draft's 「保存しました」 is still on screen while the submission runs: wait for the read-only view.
            await page.GetByTestId("proposal-read-only").WaitForAsync();
            await page.GetByTestId("proposal-message").WaitForAsync();

            await GoAsync(page, "/my-proposals");
            await page.GetByText(title).First.WaitForAsync();

            // Status and stage are two labelled items, not one bracket inside another.
            var mine = page.GetByTestId("my-proposal").Filter(new() { HasText = title });
            var stageWords = language == "ja" ? "資格・記載内容" : "eligibility";
            Assert.Contains(stageWords, await mine.GetByTestId("my-proposal-stage").InnerTextAsync());
            Assert.DoesNotContain(stageWords, await mine.GetByTestId("my-proposal-status").InnerTextAsync());
            await resident.AssertAccessibleOnTheJapaneseRunAsync($"my proposals", language);
            await GoAsync(page, "/inbox");
            await resident.AssertAccessibleOnTheJapaneseRunAsync($"the inbox", language);

            // The returned proposal's edit page starts with what the ward asked to change.
            await GoAsync(page, $"/my-proposals/{roundId}/{returnedId}");
            Assert.Contains(request, await page.GetByTestId("return-reason").InnerTextAsync());
        }

        // The screener has signed in once (so the staff directory knows them); the administrator picks them by
        // name and assigns them to every stage on the assignment page.
        await using (var unassigned = await OpenAsync(language, "screener"))
        {
            // Not yet assigned to any stage of this round, they can decide nothing: no checkboxes, no bulk form.
            await GoAsync(unassigned.Page, $"/screening/{roundId}");
            await unassigned.Page.Locator("[data-interactive=true]").WaitForAsync();
            await unassigned.Page.GetByTestId($"review-{otherId}").WaitForAsync();
            Assert.Equal(0, await unassigned.Page.Locator(".row-select").CountAsync());
            Assert.Equal(0, await unassigned.Page.GetByTestId("bulk-actions").CountAsync());
        }

        await using var adminSession = await OpenAsync(language, "admin");
        var adminPage = adminSession.Page;
        await GoAsync(adminPage, $"/admin/screening/{roundId}/assignments");
        await adminPage.Locator("[data-interactive=true]").WaitForAsync();
        await adminSession.AssertAccessibleOnTheJapaneseRunAsync($"the screener assignment page", language);
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
            await screener.AssertAccessibleOnTheJapaneseRunAsync($"the screening queue", language);

            // Bulk: nothing is chosen beforehand and nothing can be applied to nothing; the other proposal is
            // declined at intake with a public reason, confirmed in a second step.
            Assert.True(await page.GetByTestId("bulk-apply").IsDisabledAsync());
            Assert.Equal(0, await page.Locator("input[name=bulk-decision]:checked").CountAsync());
            await page.GetByTestId($"select-{otherId}").CheckAsync();
            await page.Locator("#bulk-Decline").CheckAsync();
            await page.Locator("#bulk-message-text").FillAsync("区の事業として実施済みのため。");
            await page.GetByTestId("bulk-apply").ClickAsync();
            await page.GetByTestId("bulk-confirm-apply").ClickAsync();
            await page.GetByTestId("bulk-message").WaitForAsync();
            Assert.Equal(0, await page.GetByTestId("bulk-errors").CountAsync());

            await page.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
            await BrowserSession.WaitForAddressAsync(page, url => url.Contains($"/screening/{roundId}/", StringComparison.Ordinal));
            await page.Locator("[data-interactive=true]").WaitForAsync();
            var proposalId = page.Url.Split('/')[^1];
            await screener.AssertAccessibleOnTheJapaneseRunAsync($"the review page at intake", language);

            // Intake: no decision is chosen beforehand, and recording none asks for one.
            Assert.Equal(0, await page.Locator("input[name=decision]:checked").CountAsync());
            await page.GetByTestId("decide").ClickAsync();
            Assert.Contains(language == "ja" ? "判定を選んでください" : "Choose a decision", await page.GetByTestId("decision-error").InnerTextAsync());

            // Advancing without a reason is fine; a decline without one is refused field by field. Each decision
            // is confirmed in a second step.
            await page.GetByTestId("decision-decline").CheckAsync();
            await page.GetByTestId("decide").ClickAsync();
            await page.GetByTestId("confirm-decision").ClickAsync();
            await page.Locator("#err-message[role=alert]").WaitForAsync();
            await screener.AssertAccessibleOnTheJapaneseRunAsync($"the review page showing an error", language);
            await page.GetByTestId("decision-advance").CheckAsync();
            await page.GetByTestId("decide").ClickAsync();
            await screener.AssertAccessibleOnTheJapaneseRunAsync($"the review page asking to confirm", language);
            await page.GetByTestId("confirm-decision").ClickAsync();
            await page.GetByTestId("score-form").WaitForAsync();

            // After recording, focus (and the view) goes to the result message at the top.
            await Assertions.Expect(page.Locator("#review-message")).ToBeFocusedAsync(new() { Timeout = 15_000 });

            // What 5 means is said per criterion: for cost, 5 is the cheapest.
            Assert.Contains(language == "ja" ? "5 = 費用が少ない" : "5 = costs little", await page.GetByTestId("criterion-scale-cost").InnerTextAsync());

            // Departmental review: a private note, scores (advancing needs them), then advance.
            await page.Locator("#note-text").FillAsync("所管課で確認済み（内部メモ）");
            await page.GetByTestId("add-note").ClickAsync();
            await page.GetByTestId("notes").Filter(new() { HasText = "内部メモ" }).WaitForAsync();
            foreach (var (criterion, score) in new[] { ("benefit", 5), ("feasibility", 4), ("cost", 3), ("strategy", 5) })
            {
                await page.Locator($"#score-{criterion}-{score}").CheckAsync();
            }

            await page.GetByTestId("save-scores").ClickAsync();
            await page.Locator(".table-scroll [data-testid=score-sheet]").WaitForAsync();
            Assert.Equal("4.25", (await page.GetByTestId("review-weighted").InnerTextAsync()).Trim());
            await screener.AssertAccessibleOnTheJapaneseRunAsync($"the review page with scores", language);
            await page.GetByTestId("decision-advance").CheckAsync();
            await page.GetByTestId("decide").ClickAsync();
            await page.GetByTestId("confirm-decision").ClickAsync();
            await page.GetByTestId("review-stage").Filter(new() { HasText = "3." }).WaitForAsync();

            // The committee selects it.
            await page.GetByTestId("decision-advance").CheckAsync();
            await page.GetByTestId("decide").ClickAsync();
            await page.GetByTestId("confirm-decision").ClickAsync();
            await page.GetByTestId("decision-form").WaitForAsync(new() { State = WaitForSelectorState.Detached });

            // The administrator puts it on the ballot and publishes.
            await GoAsync(adminPage, $"/admin/screening/{roundId}/shortlist");
            await adminPage.Locator("[data-interactive=true]").WaitForAsync();
            await adminSession.AssertAccessibleOnTheJapaneseRunAsync($"the committee shortlist page", language);
            await adminPage.GetByTestId($"add-{proposalId}").ClickAsync();
            await adminPage.GetByTestId("publish-shortlist").ClickAsync();
            await adminPage.GetByTestId("shortlist-message").WaitForAsync();
            await adminSession.AssertAccessibleOnTheJapaneseRunAsync($"the committee shortlist page after publishing", language);

            await GoAsync(adminPage, $"/admin/audit?round={roundId}");
            await adminPage.GetByTestId("audit-row").Filter(new() { HasText = "shortlist.publish" }).WaitForAsync();
            Assert.True(await adminPage.GetByTestId("audit-row").Filter(new() { HasText = "proposal.decide.decline" }).CountAsync() >= 1);
            // Each code is named in the page's language beside it.
            Assert.Equal(language == "ja" ? "投票対象の公表" : "Shortlist published",
                await adminPage.GetByTestId("audit-row").Filter(new() { HasText = "shortlist.publish" }).First.GetByTestId("audit-action-name").InnerTextAsync());
            await adminSession.AssertAccessibleOnTheJapaneseRunAsync($"the audit log", language);

            // The public (signed out) sees the shortlist, and not the private note.
            await using var visitor = await OpenAsync(language, account: null);
            await GoAsync(visitor.Page, $"/rounds/{roundId}/proposals");
            var shortlist = visitor.Page.GetByTestId("shortlist");
            await shortlist.GetByRole(AriaRole.Link, new() { Name = title }).WaitForAsync();
            await visitor.AssertAccessibleOnTheJapaneseRunAsync($"the public proposal list", language);
            await shortlist.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
            await BrowserSession.WaitForAddressAsync(visitor.Page, url => url.EndsWith($"/proposals/{proposalId}", StringComparison.Ordinal));
            Assert.DoesNotContain("内部メモ", await visitor.Page.Locator("main").InnerTextAsync());
            await visitor.AssertAccessibleOnTheJapaneseRunAsync($"the public proposal page", language);
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
            await session.WaitUntilAsync($"document.documentElement.lang === '{language}'");
        }

        return session;
    }

    private async Task GoAsync(IPage page, string path) => await page.GotoAsync(new Uri(platform.Web, path).ToString());
}
