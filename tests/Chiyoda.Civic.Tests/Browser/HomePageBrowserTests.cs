using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

[Trait(Tier.Name, Tier.Browser)]
[Collection(PlatformCollection.Name)]
public sealed class HomePageBrowserTests(PlatformFixture platform, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task The_home_page_is_japanese_first_switches_to_english_and_remembers_it()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        var page = session.Page;

        await page.GotoAsync(platform.Web.ToString());
        Assert.Equal("ja", await page.Locator("html").GetAttributeAsync("lang"));
        Assert.Equal("デジタル活用提案制度", (await page.Locator("h1").InnerTextAsync()).Trim());
        // Other tests add rounds, so the home page's current round may be another: check the demo round's own page.
        Assert.NotEqual(0, await page.GetByTestId("phase-badge").CountAsync());
        await page.GotoAsync(new Uri(platform.Web, "/rounds/demo-2024").ToString());
        Assert.Equal("区民投票", (await page.GetByTestId("round-phase").InnerTextAsync()).Trim());
        await session.AssertAccessibleAsync("the round page in Japanese");
        await page.GotoAsync(platform.Web.ToString());
        await session.AssertAccessibleAsync("the home page in Japanese");

        await session.SwitchLanguageAsync("en");
        Assert.Equal("Digital proposal programme", (await page.Locator("h1").InnerTextAsync()).Trim());
        await session.AssertAccessibleAsync("the home page in English");

        await page.GotoAsync(new Uri(platform.Web, "/rounds/demo-2024").ToString());
        Assert.Equal("en", await page.Locator("html").GetAttributeAsync("lang"));
        Assert.Equal("Resident vote", (await page.GetByTestId("round-phase").InnerTextAsync()).Trim());
        await session.AssertAccessibleAsync("the round page in English");
    }

    /// <summary>The suite's own axe runner (<see cref="BrowserSession.AssertAccessibleAsync"/>) fails on what axe is there to find.</summary>
    [Fact]
    public async Task Axe_fails_a_page_with_an_unlabelled_image_and_faint_text()
    {
        await using var session = await BrowserSession.OpenAsync(platform, 390, 844);
        var page = session.Page;
        await page.GotoAsync(platform.Web.ToString());
        await session.AssertAccessibleAsync("the home page before the faults are added");

        await page.EvaluateAsync("""
            () => {
              const main = document.querySelector('main');
              const img = document.createElement('img');
              img.src = '/favicon.png';
              img.width = 40; img.height = 40;
              main.prepend(img);
              const faint = document.createElement('p');
              faint.textContent = '薄い文字';
              faint.style.color = '#dddddd';
              faint.style.background = '#ffffff';
              main.prepend(faint);
            }
            """);
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => session.AssertAccessibleAsync("the home page with an image and faint text"));
        Assert.Contains("image-alt", failure.Message);
        Assert.Contains("color-contrast", failure.Message);
    }

    [Fact]
    public async Task A_resident_signs_in_through_the_providers_page()
    {
        await using var session = await BrowserSession.OpenAsync(platform);

        await session.Page.GotoAsync(platform.Web.ToString());
        await session.Page.GetByTestId("sign-in").ClickAsync();
        await BrowserSession.WaitForProviderFormAsync(session.Page, platform);
        await session.AssertAccessibleAsync("the identity provider's sign-in page");
        await session.SignInAsync(platform, "resident-80");

        Assert.Contains("区民 八十歳", await session.Page.GetByTestId("signed-in-as").InnerTextAsync());
        await session.AssertAccessibleAsync("the home page, signed in");
    }

    [Fact]
    public async Task The_home_page_is_accessible_on_a_phone_in_both_languages()
    {
        await using var session = await BrowserSession.OpenAsync(platform, 390, 844);
        await session.Page.GotoAsync(platform.Web.ToString());
        await session.AssertAccessibleAsync("the home page on a phone, Japanese");
        await session.SwitchLanguageAsync("en");
        await session.AssertAccessibleAsync("the home page on a phone, English");
    }

    [Fact]
    public async Task An_administrator_creates_a_round_in_the_editor_and_is_told_about_bad_dates()
    {
        await using var session = await BrowserSession.OpenAsync(platform);
        var page = session.Page;
        await session.SignInAsync(platform, "admin");
        var roundId = "ui-" + Guid.NewGuid().ToString("N")[..10];

        await page.GotoAsync(new Uri(platform.Web, "/admin/rounds").ToString());
        await session.AssertAccessibleAsync("the rounds administration page");

        // On a phone every round's actions are on the screen, not behind a sideways scroll of the table: with English words
        // (longer) and beside a name with no place to break, which pushed them off before.
        using (var adminApi = await platform.ApiClientAsync("admin"))
        {
            var now = DateTimeOffset.UtcNow;
            var body = System.Text.Json.JsonSerializer.SerializeToNode(Proposals.ProposalApiSamples.RoundBody(now.AddDays(2), now.AddDays(3)))!.AsObject();
            body["nameEn"] = "Digital_proposal_programme_round_with_an_unbroken_name";
            await HttpAssertions.JsonAsync(await adminApi.PostAsJsonAsync($"/api/v1/rounds/{Rounds.RoundSamples.NewRoundId()}", body), 201);
        }

        await page.SetViewportSizeAsync(390, 844);
        foreach (var language in new[] { "en", "ja" })
        {
            await page.GotoAsync(new Uri(platform.Web, $"/culture/{language}?returnUrl=/admin/rounds").ToString());
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            var offScreen = await page.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('.rounds-table tbody a')].filter(a => a.getBoundingClientRect().right > window.innerWidth).map(a => a.getAttribute('aria-label'))");
            Assert.True(offScreen.Length == 0, $"actions off the phone's screen ({language}): " + string.Join(", ", offScreen));
            Assert.True(await page.Locator(".rounds-table tbody a").CountAsync() >= 4, "the table lists rounds with their actions");
        }

        await page.SetViewportSizeAsync(1280, 900);
        await page.GetByTestId("new-round").ClickAsync();
        // The editor is interactive: typing before its circuit is connected would be lost.
        await page.Locator("form[data-interactive=true]").WaitForAsync();
        await session.AssertAccessibleAsync("the round editor");

        // An empty form: every problem at once (id, name, the five dates), not one wave after another.
        await page.GetByTestId("save-round").ClickAsync();
        var empty = page.GetByTestId("round-errors");
        await empty.WaitForAsync();
        Assert.Equal(7, await empty.Locator("li").CountAsync());
        Assert.Contains("募集回ID", await empty.InnerTextAsync());

        await page.Locator("#round-id").FillAsync(roundId);
        await page.Locator("#round-name").FillAsync("画面から作成した募集回");
        await page.Locator("#call-opens").FillAsync("2030-04-01T00:00");
        await page.Locator("#call-closes").FillAsync("2030-06-01T00:00");
        await page.Locator("#voting-opens").FillAsync("2030-09-21T00:00");
        await page.Locator("#voting-closes").FillAsync("2030-08-05T00:00");
        await page.Locator("#results-due").FillAsync("2030-11-26T00:00");
        await page.GetByTestId("save-round").ClickAsync();

        // The list from the empty form is still on screen until the second save renders: wait for the new one.
        var errors = page.GetByTestId("round-errors");
        await Assertions.Expect(errors).ToContainTextAsync("日付の順序", new() { Timeout = 30_000 });
        await session.AssertAccessibleAsync("the round editor showing errors");

        await page.Locator("#voting-opens").FillAsync("2030-08-05T00:00");
        await page.Locator("#voting-closes").FillAsync("2030-09-21T00:00");
        await page.GetByTestId("save-round").ClickAsync();

        // A save that storage did not answer in time says so and keeps the form; pressing Save again, as the message
        // asks, must then create the round (the same definition is accepted again, not refused as an existing round).
        var editPage = $"/admin/rounds/{roundId}/edit";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!page.Url.Contains(editPage, StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(45))
        {
            if (await page.GetByTestId("round-not-saved").IsVisibleAsync())
            {
                output.WriteLine($"The save was not answered within {waited.Elapsed.TotalSeconds:0} s; pressing Save again.");
                await page.GetByTestId("save-round").ClickAsync();
                break;
            }

            await Task.Delay(250);
        }

        // Created: on to the round's own edit page, with the message in focus (and in view).
        await session.WaitForUrlOrExplainAsync(platform, url => url.Contains(editPage, StringComparison.Ordinal), "the new round's edit page after saving");
        await page.GetByTestId("round-saved").WaitForAsync();
        await Assertions.Expect(page.Locator("#round-message")).ToBeFocusedAsync(new() { Timeout = 15_000 });

        // During voting the rules cannot change: the fields say so rather than fail on saving.
        await page.GotoAsync(new Uri(platform.Web, "/admin/rounds/demo-2024/edit").ToString());
        await page.Locator("form[data-interactive=true]").WaitForAsync();
        await page.GetByTestId("rules-locked").WaitForAsync();
        Assert.True(await page.Locator("#max-votes").IsDisabledAsync());

        await page.GotoAsync(new Uri(platform.Web, $"/rounds/{roundId}").ToString());
        Assert.Equal("画面から作成した募集回", (await page.Locator("h1").InnerTextAsync()).Trim());
        Assert.Equal("募集開始前", (await page.GetByTestId("round-phase").InnerTextAsync()).Trim());
    }
}
