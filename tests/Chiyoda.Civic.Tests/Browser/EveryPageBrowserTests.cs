using System.Collections.Concurrent;
using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;
using Chiyoda.Civic.Tests.Proposals;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// Every page, as the people who use it, at 1280×800 and 390×844, in Japanese and in English: the header's links
/// reachable, no horizontal scroll at 320 px, form controls with a 3:1 boundary, targets of 24×24 px, no words of
/// the other language, and axe. A screenshot of each page at each size goes to artifacts/screenshots/ for people
/// to look at. One browser; one context per account, reused for all its pages and both sizes.
/// </summary>
public abstract class EveryPageBrowserTests(PlatformFixture platform, string language)
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<Rounds>>> RoundsByPlatform = new();

    protected sealed record Rounds(string CallRound, string DraftId, string SubmittedId, string PublishedRound, string PaperRound, string BatchId, string DemoProposalId);

    protected PlatformFixture Platform => platform;

    [Fact]
    public async Task Every_page_fits_a_phone_and_a_desktop_and_speaks_one_language()
    {
        var r = await RoundsAsync();
        var pages = new (string? Account, string Path, string Name)[]
        {
            (null, "/", "home"),
            (null, "/rounds/demo-2024", "round-voting"),
            (null, $"/rounds/{r.CallRound}", "round-call"),
            (null, $"/rounds/{r.PublishedRound}", "round-results"),
            (null, "/rounds/demo-2024/proposals", "proposals"),
            (null, $"/rounds/demo-2024/proposals/{r.DemoProposalId}", "proposal"),
            (null, $"/rounds/{r.PublishedRound}/results", "results"),
            (null, "/not-found", "not-found"),
            (null, "/implementation", "implementation"),
            (null, "/statistics", "statistics"),
            (null, $"/rounds/{r.PublishedRound}/proposals/p-002", "proposal-after"),
            ("resident-45", "/", "home-signed-in"),
            ("resident-45", "/rounds/demo-2024/vote", "vote-choose"),
            ("resident-45", "/rounds/demo-2024/ballot", "my-ballot"),
            ("resident-45", $"/rounds/{r.CallRound}/propose", "propose"),
            ("resident-45", $"/my-proposals/{r.CallRound}/{r.DraftId}", "proposal-draft"),
            ("resident-45", $"/my-proposals/{r.CallRound}/{r.SubmittedId}", "proposal-submitted"),
            ("resident-45", "/my-proposals", "my-proposals"),
            ("resident-45", "/inbox", "inbox"),
            ("resident-17", "/rounds/demo-2024/vote", "vote-under-age"),
            ("worker", "/rounds/demo-2024/vote", "vote-not-on-register"),
            ("screener", "/screening", "screening"),
            ("screener", $"/screening/{r.CallRound}", "screening-queue"),
            ("screener", $"/screening/{r.CallRound}/{r.SubmittedId}", "screening-review"),
            ("clerk", $"/paper/{r.PaperRound}", "paper-batches"),
            ("clerk", $"/paper/{r.PaperRound}/{r.BatchId}", "paper-batch"),
            ("clerk", $"/paper/{r.PaperRound}/{r.BatchId}/key", "paper-keying"),
            ("clerk", $"/paper/{r.PaperRound}/{r.BatchId}/import", "paper-import"),
            ("clerk", "/kiosk/open/demo-2024", "kiosk-open"),
            ("screener", $"/screening/{r.CallRound}/paper/new", "paper-proposal-new"),
            ("admin", "/admin/rounds", "admin-rounds"),
            ("admin", "/admin/rounds/new", "admin-round-new"),
            ("admin", "/admin/rounds/demo-2024/edit", "admin-round-edit"),
            ("admin", "/admin/rounds/demo-2024/register", "admin-register"),
            ("admin", "/admin/rounds/demo-2024/facilities", "admin-facilities"),
            ("admin", $"/admin/rounds/{r.PublishedRound}/counting", "admin-counting"),
            ("admin", $"/admin/screening/{r.CallRound}/assignments", "admin-assignments"),
            ("admin", $"/admin/screening/{r.CallRound}/shortlist", "admin-shortlist"),
            ("admin", $"/admin/audit?round={r.CallRound}", "admin-audit"),
            ("admin", $"/implementation/{r.PublishedRound}/p-002/edit", "implementation-editor"),
            ("admin", "/admin/implementation/path", "implementation-path"),
            ("resident-45", "/rounds/demo-2024/reminders", "reminders"),
            (null, "/reminders/stop?round=demo-2024&token=not-a-real-token", "reminders-stop-bad-link"),
            ("moderator", "/moderation", "moderation-queue"),
        };

        var problems = new List<string>();
        var timings = new Dictionary<string, double>();
        var sessions = new Dictionary<string, BrowserSession>();
        try
        {
            foreach (var (account, path, name) in pages)
            {
                var key = account ?? "";
                if (!sessions.TryGetValue(key, out var session))
                {
                    session = await BrowserSession.OpenAsync(platform, 1280, 800);
                    if (account is not null)
                    {
                        await session.SignInAsync(platform, account);
                    }

                    await session.Page.GotoAsync(new Uri(platform.Web, $"/culture/{language}?returnUrl=/").ToString());
                    sessions[key] = session;
                    // axe at both sizes on each account's first page (the desktop adds only the header's full navigation).
                    problems.AddRange((await WalkAsync(session, path, name, timings, axeAtPhone: true, axeOnDesktop: true)).Select(p => $"{name} ({language}, {path}): {p}"));
                    continue;
                }

                // Later pages: axe at the phone size, in the language that gets it (BrowserSession.AxeRunsIn).
                problems.AddRange((await WalkAsync(session, path, name, timings, axeAtPhone: BrowserSession.AxeRunsIn(language), axeOnDesktop: false)).Select(p => $"{name} ({language}, {path}): {p}"));
            }
        }
        finally
        {
            foreach (var session in sessions.Values)
            {
                await session.DisposeAsync();
            }
        }

        // Where the walk's minutes go, for whoever next has to make the suite faster.
        File.WriteAllLines(Path.Combine(PageWalk.ScreenshotDirectory, $"timings-{language}.txt"), timings.Select(t => $"{t.Key} {t.Value:0.0} s"));
        Assert.True(problems.Count == 0, $"{problems.Count} problems; screenshots in {PageWalk.ScreenshotDirectory}:\n" + string.Join("\n", problems));
    }

    private async Task<List<string>> WalkAsync(BrowserSession session, string path, string name, Dictionary<string, double> timings, bool axeAtPhone, bool axeOnDesktop)
    {
        var page = session.Page;
        var problems = new List<string>();
        await page.SetViewportSizeAsync(1280, 800);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Lap(string step)
        {
            timings[step] = timings.GetValueOrDefault(step) + clock.Elapsed.TotalSeconds;
            clock.Restart();
        }

        // The load event and the page's fonts, not "network idle" (half a second of silence per page, 45 pages, twice): an
        // interactive page is waited for below by its own marker.
        await page.GotoAsync(new Uri(platform.Web, path).ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await page.EvaluateAsync("() => document.fonts.ready.then(() => true)");
        Lap("goto");
        if (await page.Locator("[data-interactive]").CountAsync() > 0)
        {
            await page.Locator("[data-interactive=true]").First.WaitForAsync();
        }
        Lap("interactive");

        if (await page.Locator("html").GetAttributeAsync("lang") != language)
        {
            problems.Add($"the page is not in {language}");
        }

        foreach (var (width, height, size) in PageWalk.Viewports)
        {
            await page.SetViewportSizeAsync(width, height);
            Lap("viewport");
            var at = $"at {size}";
            problems.AddRange((await PageWalk.HeaderProblemsAsync(page)).Select(p => $"{at}: {p}"));
            Lap("header");
            problems.AddRange((await PageWalk.TargetSizeProblemsAsync(page)).Select(p => $"{at}: {p}"));
            problems.AddRange((await PageWalk.ControlBoundaryProblemsAsync(page)).Select(p => $"{at}: {p}"));
            if (size == "desktop")
            {
                problems.AddRange(await PageWalk.LanguageProblemsAsync(page, language));
            }
            Lap("scripts");

            if (size == "phone" ? axeAtPhone : axeOnDesktop)
            {
                try
                {
                    await session.AssertAccessibleAsync($"{name} {at}");
                }
                catch (Xunit.Sdk.XunitException e)
                {
                    problems.Add($"{at}: {e.Message}");
                }
            }
            Lap("axe");

            await PageWalk.ScreenshotAsync(page, $"{name}-{language}-{size}");
            Lap("screenshot");
        }

        problems.AddRange(await PageWalk.ReflowProblemsAsync(page, 390, 844));
        Lap("reflow");
        return problems;
    }

    /// <summary>Rounds in each phase a visitor meets, made once per platform.</summary>
    protected Task<Rounds> RoundsAsync() =>
        RoundsByPlatform.GetOrAdd(platform.ServiceId, _ => new Lazy<Task<Rounds>>(MakeRoundsAsync)).Value;

    private async Task<Rounds> MakeRoundsAsync()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var resident = await platform.ApiClientAsync("resident-45");
        var callRound = await ProposalApiSamples.OpenRoundAsync(admin);
        var draft = await HttpAssertions.JsonAsync(await resident.PostAsJsonAsync($"/api/v1/rounds/{callRound}/proposals",
            ProposalApiSamples.Body("下書きの提案", submit: false)), 201);
        var submitted = await HttpAssertions.JsonAsync(await resident.PostAsJsonAsync($"/api/v1/rounds/{callRound}/proposals",
            ProposalApiSamples.Body("応募した提案")), 201);

        var keys = Enumerable.Range(0, 3).Select(n => $"w{n}{Guid.NewGuid():N}"[..12]).ToArray();
        var published = await PaperApi.RoundAsync(admin, keys);
        foreach (var (voterKey, choices) in keys.Zip(new[] { new[] { 1, 2 }, [2], [2, 3, 1] }))
        {
            using var voter = await platform.ApiClientAsync("voter:" + voterKey);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(published, Guid.NewGuid().ToString("N"), choices)), 200);
        }

        foreach (var (step, body) in new (string, object)[] { ("close", new { reason = "画面の試験" }), ("count", new { }), ("certify", new { }), ("publish", new { }) })
        {
            await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{published}/{step}", body), 200);
        }

        // The adopted p-002 with a step and an indicator, so 「提案のその後」 shows its timeline, chart and table.
        var after = $"/api/v1/rounds/{published}/proposals/p-002/implementation";
        var adoptedOn = (await HttpAssertions.JsonAsync(await admin.GetAsync(after), 200)).GetProperty("adoptedOn").GetString();
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{after}/status", new { requestId = "walk-1", status = "budget-consideration", date = adoptedOn,
            note = "予算化を検討しています。", noteEn = "Budgeting is being considered.", department = "政策経営部 DX戦略課" }), 200);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{after}/indicators/calendars", new { requestId = "walk-2", name = "電子化実施数",
            nameEn = "Calendars published electronically", unit = "校", unitEn = "schools", target = 10 }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{after}/indicators/calendars/actuals", new { requestId = "walk-3", date = adoptedOn, value = 4 }), 200);

        var paperRound = await PaperApi.RoundAsync(admin, "p1");
        using var clerk = await platform.ApiClientAsync("clerk");
        var batch = await PaperApi.OpenBatchAsync(clerk, paperRound, 5);

        using var anonymous = await platform.ApiClientAsync();
        var list = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024/proposals?take=100"), 200);
        var demoProposal = list.GetProperty("items").EnumerateArray().First(i => i.GetProperty("status").GetString() == "shortlisted").GetProperty("proposalId").GetString()!;

        return new Rounds(callRound, draft.GetProperty("proposalId").GetString()!, submitted.GetProperty("proposalId").GetString()!,
            published, paperRound, batch, demoProposal);
    }
}

/// <summary>The walk in Japanese, with the journeys that check each page leads on; on a platform of its own.</summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(WalkPlatformCollection.Name)]
public sealed class EveryPageInJapaneseBrowserTests(WalkPlatformFixture platform) : EveryPageBrowserTests(platform, "ja")
{
    [Fact]
    public async Task Each_page_leads_to_the_next_step()
    {
        var r = await RoundsAsync();
        await using var session = await BrowserSession.OpenAsync(platform, 390, 844);
        var page = session.Page;

        // Home: open votes first, then open calls, then the latest results; every card says its phase.
        await page.GotoAsync(platform.Web.ToString());
        var phases = await page.GetByTestId("round-card").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.phase)");
        var order = phases.Select(p => p switch { "Voting" => 0, "CallForProposals" => 1, "Results" => 2, _ => 3 }).ToList();
        Assert.Equal(0, order[0]);
        Assert.Equal(order.Order(), order);
        Assert.Contains("CallForProposals", phases);
        Assert.Equal(await page.GetByTestId("round-card").CountAsync(), await page.GetByTestId("round-card").GetByTestId("phase-badge").CountAsync());

        // Round pages: propose during the call, vote during the vote, results once published, the calendar always.
        foreach (var (round, action) in new[] { (r.CallRound, "propose-now"), ("demo-2024", "vote-now"), (r.PublishedRound, "results-link") })
        {
            await page.GotoAsync(new Uri(platform.Web, $"/rounds/{round}").ToString());
            Assert.True(await page.GetByTestId(action).IsVisibleAsync(), $"{round} offers {action}");
            if (round == "demo-2024")
            {
                // A close at midnight reads as 24:00 of the last day, as Japanese notices write it.
                Assert.Matches(@"\d{4}年\d{1,2}月\d{1,2}日\(.\) 24:00", await page.GetByTestId("open-until").InnerTextAsync());
            }
            Assert.Equal(1, await page.GetByTestId("calendar-link").CountAsync());
            foreach (var other in new[] { "propose-now", "vote-now", "results-link" }.Where(a => a != action))
            {
                Assert.Equal(0, await page.GetByTestId(other).CountAsync());
            }
        }

        Assert.Equal("Results", await page.GetByTestId("round-phase").GetAttributeAsync("data-phase"));

        // A draft gets its own address when first saved; a reload shows it, not an empty form.
        await session.SignInAsync(platform, "resident-18");
        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{r.CallRound}/propose").ToString());
        await page.Locator("form[data-interactive=true]").WaitForAsync();
        await page.Locator("#title").FillAsync("下書きのURLの試験");
        await page.Locator("#title-en").FillAsync("A draft with its own address");
        // No relation to the ward is assumed: a draft needs one chosen, like its title.
        await page.Locator("#relation").SelectOptionAsync("Works");
        await page.GetByTestId("save-draft").ClickAsync();
        await session.WaitForUrlOrExplainAsync(platform, url => url.Contains($"/my-proposals/{r.CallRound}/p-", StringComparison.Ordinal), "the draft's own address");
        await page.ReloadAsync();
        await page.Locator("form[data-interactive=true]").WaitForAsync();
        Assert.Equal("下書きのURLの試験", await page.Locator("#title").InputValueAsync());
        Assert.Equal("A draft with its own address", await page.Locator("#title-en").InputValueAsync());
        Assert.Equal(0, await page.GetByTestId("proposal-message").CountAsync());

        // Submitting without the other fields: every message names its field, and the summary takes the focus.
        await page.GetByTestId("submit-proposal").ClickAsync();
        await page.GetByTestId("proposal-errors").WaitForAsync();
        Assert.Contains("概要：", await page.GetByTestId("proposal-errors").InnerTextAsync());
        await session.WaitUntilAsync("document.activeElement?.id === 'proposal-errors'");
    }

    [Fact]
    public async Task A_submitted_proposal_is_shown_as_sent_with_its_history_and_no_form()
    {
        var r = await RoundsAsync();
        await using var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, "resident-45");
        await session.Page.GotoAsync(new Uri(platform.Web, $"/my-proposals/{r.CallRound}/{r.SubmittedId}").ToString());
        await session.Page.GetByTestId("proposal-read-only").WaitForAsync();
        Assert.Contains("応募", await session.Page.GetByTestId("status-history").InnerTextAsync());
        Assert.Equal(0, await session.Page.GetByTestId("save-draft").CountAsync());
        Assert.Equal(0, await session.Page.GetByTestId("proposal-message").CountAsync());
        Assert.Equal(0, await session.Page.Locator("#title").CountAsync());
    }
}

/// <summary>The walk in English, on another platform so that it runs beside the Japanese one.</summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(SecondPlatformCollection.Name)]
public sealed class EveryPageInEnglishBrowserTests(SecondPlatformFixture platform) : EveryPageBrowserTests(platform, "en");
