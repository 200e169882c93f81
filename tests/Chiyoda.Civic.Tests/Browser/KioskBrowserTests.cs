using System.Globalization;
using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// Assisted voting at a facility desk, with two roles on one device: the clerk checks the person on the register and
/// hands the device over (which signs the clerk out, here and at the provider), the person votes privately, and the
/// device is left on a neutral screen. Every page is checked (axe, language, targets, reflow) and photographed at both sizes.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(WalkPlatformCollection.Name)]
public sealed class KioskBrowserTests(WalkPlatformFixture platform)
{
    private const string Round = "demo-2024";

    private static async Task CheckPageAsync(BrowserSession session, string name, string language, List<string> problems)
    {
        var page = session.Page;
        var size = page.ViewportSize!;
        await session.AssertAccessibleAsync($"{name} ({language}, {size.Width}px)");
        problems.AddRange((await PageWalk.LanguageProblemsAsync(page, language)).Select(p => $"{name}: {p}"));
        problems.AddRange((await PageWalk.TargetSizeProblemsAsync(page)).Select(p => $"{name}: {p}"));
        problems.AddRange((await PageWalk.ControlBoundaryProblemsAsync(page)).Select(p => $"{name}: {p}"));
        problems.AddRange((await PageWalk.ReflowProblemsAsync(page, size.Width, size.Height)).Select(p => $"{name}: {p}"));
        foreach (var (width, height, viewport) in PageWalk.Viewports)
        {
            await page.SetViewportSizeAsync(width, height);
            await PageWalk.ScreenshotAsync(page, $"kiosk-{name}-{language}-{viewport}");
        }

        await page.SetViewportSizeAsync(size.Width, size.Height);
    }

    private async Task VoteOnTheDeviceAsync(BrowserSession session, int[] choices, string language, List<string> problems)
    {
        var page = session.Page;

        // The hand-over goes through the provider's sign-out and back: slow on a loaded machine.
        await page.Locator("fieldset#choices").WaitForAsync(new() { Timeout = 45_000 });
        Assert.EndsWith("/kiosk", page.Url);
        Assert.Equal(0, await page.GetByTestId("signed-in-as").CountAsync());
        Assert.Equal(0, await page.GetByTestId("menu-button").CountAsync());
        await CheckPageAsync(session, "ballot", language, problems);

        // The ballot leaves the screen on its own at the session's end (5 minutes): back to /kiosk, which then says time is up.
        var seconds = int.Parse((await page.GetByTestId("kiosk-return-after").GetAttributeAsync("data-kiosk-return-after"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 200, 302);

        foreach (var choice in choices)
        {
            await page.Locator($"#choice-{choice}").CheckAsync();
        }

        await page.GetByTestId("continue").ClickAsync();
        await page.GetByTestId("confirm-choices").WaitForAsync();
        Assert.Equal(choices.Length, await page.GetByTestId("confirm-choices").Locator("li").CountAsync());
        await CheckPageAsync(session, "confirm", language, problems);

        await page.GetByTestId("confirm-vote").ClickAsync();
        await page.GetByTestId("kiosk-recorded").WaitForAsync();
        // ...and the receipt screen goes back to the neutral one by itself (Kiosk:ReturnToIdleSeconds; 600 on this platform).
        Assert.Equal("600", await page.GetByTestId("kiosk-return-after").GetAttributeAsync("data-kiosk-return-after"));
        await CheckPageAsync(session, "recorded", language, problems);
        Assert.Equal(0, await page.Locator(".ballot-number").CountAsync());

        // Reloaded, the device has forgotten the session: a neutral screen, nothing of the last voter.
        await page.GotoAsync(new Uri(platform.Web, "/kiosk").ToString());
        await page.GetByTestId("kiosk-idle").WaitForAsync();
        await CheckPageAsync(session, "idle", language, problems);
    }

    /// <summary>The clerk's sign-in is gone from the device: a staff page sends the browser to the provider's sign-in form.</summary>
    private async Task AssertClerkSignedOutAsync(IPage page)
    {
        await page.GotoAsync(new Uri(platform.Web, $"/paper/{Round}").ToString());
        await BrowserSession.WaitForProviderFormAsync(page, platform);
    }

    [Fact]
    public async Task A_clerk_checks_a_voter_by_number_hands_the_device_over_and_the_voter_votes_privately_in_japanese()
    {
        var problems = new List<string>();
        await using var session = await BrowserSession.OpenAsync(platform, 1280, 800);
        await session.SignInAsync(platform, "clerk");
        var page = session.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/paper/{Round}").ToString());
        await page.GetByTestId("link-kiosk").ClickAsync();
        await page.GetByTestId("kiosk-find-form").WaitForAsync();
        await CheckPageAsync(session, "clerk", "ja", problems);

        // Refusals, each with its reason: under 18, and not on the register.
        await page.GetByTestId("kiosk-voter-key").FillAsync("demo-r17");
        await page.GetByTestId("kiosk-find").ClickAsync();
        Assert.Equal("under-age", await page.GetByTestId("kiosk-check").GetAttributeAsync("data-code"));
        Assert.Contains("満18歳未満", await page.GetByTestId("kiosk-check-refused").InnerTextAsync());
        await CheckPageAsync(session, "clerk-refused", "ja", problems);
        await page.GetByTestId("kiosk-voter-key").FillAsync("nobody-0001");
        await page.GetByTestId("kiosk-find").ClickAsync();
        Assert.Equal("not-on-register", await page.GetByTestId("kiosk-check").GetAttributeAsync("data-code"));
        Assert.Equal(0, await page.GetByTestId("kiosk-handover").CountAsync());

        // Someone who has voted online may vote here too (the last ballot counts), and the clerk is told so, to tell them first.
        using (var online = await platform.ApiClientAsync("voter:d-0012"))
        {
            await HttpAssertions.JsonAsync(await online.SendAsync(Ballots.PlatformVoting.Ballot(Round, Guid.NewGuid().ToString("N"), 1)), 200);
        }

        await page.GetByTestId("kiosk-voter-key").FillAsync("d-0012");
        await page.GetByTestId("kiosk-find").ClickAsync();
        await page.GetByTestId("kiosk-may-vote").WaitForAsync();
        Assert.Contains("前の投票と置き換わります", await page.GetByTestId("kiosk-has-ballot").InnerTextAsync());

        // A birthdate typed beside the number must be that voter's: never passed over in silence.
        await page.GetByTestId("kiosk-voter-key").FillAsync("d-0017");
        await page.GetByTestId("kiosk-birthdate").FillAsync("S45.1.2");
        await page.GetByTestId("kiosk-find").ClickAsync();
        Assert.Equal("voter-mismatch", await page.GetByTestId("kiosk-check").GetAttributeAsync("data-code"));
        // Said as something to check in what was entered, not as a verdict that the person cannot vote.
        Assert.Equal("入力を確認してください", (await page.Locator("#check-heading").InnerTextAsync()).Trim());
        Assert.Equal(0, await page.GetByTestId("kiosk-handover").CountAsync());
        await page.GetByTestId("kiosk-birthdate").FillAsync("");

        // The number as printed on a card, in capitals, is the same number.
        await page.GetByTestId("kiosk-voter-key").FillAsync("D-0017");
        await page.GetByTestId("kiosk-find").ClickAsync();
        await page.GetByTestId("kiosk-found-name").Filter(new() { HasText = "トウヒョウシャ17" }).WaitForAsync();

        await page.GetByTestId("kiosk-voter-key").FillAsync("ｄ－００１７");
        await page.GetByTestId("kiosk-find").ClickAsync();
        await page.GetByTestId("kiosk-found-name").Filter(new() { HasText = "トウヒョウシャ17" }).WaitForAsync();
        Assert.Equal(0, await page.GetByTestId("kiosk-has-ballot").CountAsync());
        Assert.Equal("デモ トウヒョウシャ17", (await page.GetByTestId("kiosk-found-name").InnerTextAsync()).Trim());
        Assert.Contains("昭和42年4月17日", await page.GetByTestId("kiosk-check").InnerTextAsync());
        await CheckPageAsync(session, "clerk-found", "ja", problems);

        await page.GetByTestId("kiosk-handover").ClickAsync();
        // A ballot page left open in a second tab after the session ended there: pressing on is answered with the device's
        // screen, not the framework's "no form with that name" error.
        await page.Locator("fieldset#choices").WaitForAsync(new() { Timeout = 45_000 });
        var stale = await page.Context.NewPageAsync();
        await stale.GotoAsync(new Uri(platform.Web, "/kiosk").ToString());
        await stale.Locator("fieldset#choices").WaitForAsync();
        await VoteOnTheDeviceAsync(session, [2, 5], "ja", problems);
        await stale.Locator("#choice-1").CheckAsync();
        await stale.GetByTestId("continue").ClickAsync();
        await stale.GetByTestId("kiosk-idle").WaitForAsync();
        Assert.DoesNotContain("Cannot submit the form", await stale.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await stale.CloseAsync();
        await AssertClerkSignedOutAsync(page);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task A_clerk_finds_a_voter_by_kana_and_an_era_birthdate_on_a_phone_and_the_voter_votes_in_english()
    {
        var problems = new List<string>();
        await using var session = await BrowserSession.OpenAsync(platform, 390, 844);
        await session.SignInAsync(platform, "clerk");
        await session.SwitchLanguageAsync("en");
        var page = session.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/kiosk/open/{Round}").ToString());
        await page.GetByTestId("kiosk-find-form").WaitForAsync();
        await CheckPageAsync(session, "clerk", "en", problems);

        await page.GetByTestId("kiosk-name-kana").FillAsync("デモ トウヒョウシャ18");
        await page.GetByTestId("kiosk-birthdate").FillAsync("S43.4.18");
        await page.GetByTestId("kiosk-find").ClickAsync();
        await page.GetByTestId("kiosk-may-vote").WaitForAsync();
        Assert.Contains("18 April 1968", await page.GetByTestId("kiosk-check").InnerTextAsync());
        await CheckPageAsync(session, "clerk-found", "en", problems);

        await page.GetByTestId("kiosk-handover").ClickAsync();
        await page.Locator("fieldset#choices").WaitForAsync(new() { Timeout = 45_000 });
        Assert.Contains("Only you can see this screen", await page.GetByTestId("kiosk-private").InnerTextAsync());
        await VoteOnTheDeviceAsync(session, [3], "en", problems);
        await AssertClerkSignedOutAsync(page);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task A_clerk_at_another_desk_is_told_before_any_hand_over_that_the_persons_device_is_open_until_when_and_where()
    {
        var problems = new List<string>();
        await using var first = await BrowserSession.OpenAsync(platform, 1280, 800);
        await first.SignInAsync(platform, "clerk");
        await first.Page.GotoAsync(new Uri(platform.Web, $"/kiosk/open/{Round}").ToString());
        await first.Page.GetByTestId("kiosk-voter-key").FillAsync("d-0014");
        await first.Page.GetByTestId("kiosk-find").ClickAsync();
        await first.Page.GetByTestId("kiosk-may-vote").WaitForAsync();
        var facility = (await first.Page.Locator("#kiosk-facility option:checked").InnerTextAsync()).Trim();
        await first.Page.GetByTestId("kiosk-handover").ClickAsync();
        await first.Page.Locator("fieldset#choices").WaitForAsync(new() { Timeout = 45_000 });

        // A second desk checks the same person while that device is open: said at once, with no hand-over button.
        await using var second = await BrowserSession.OpenAsync(platform, 1280, 800);
        await second.SignInAsync(platform, "clerk");
        var page = second.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/kiosk/open/{Round}").ToString());
        await page.GetByTestId("kiosk-voter-key").FillAsync("d-0014");
        await page.GetByTestId("kiosk-find").ClickAsync();
        await page.GetByTestId("kiosk-check-refused").WaitForAsync();
        Assert.Equal("kiosk-session-open-elsewhere", await page.GetByTestId("kiosk-check").GetAttributeAsync("data-code"));
        Assert.Matches(@"[0-9]{2}:[0-9]{2}（区の時刻）まで開いています", await page.GetByTestId("kiosk-open-elsewhere").InnerTextAsync());
        Assert.Contains(facility, await page.GetByTestId("kiosk-open-elsewhere-facility").InnerTextAsync());
        Assert.Equal(0, await page.GetByTestId("kiosk-handover").CountAsync());
        await CheckPageAsync(second, "clerk-open-elsewhere", "ja", problems);

        // The voter chooses, then at the last screen finishes without voting on the first device: nothing is recorded, and
        // the person may be handed a device again.
        await first.Page.Locator("#choice-1").CheckAsync();
        await first.Page.GetByTestId("continue").ClickAsync();
        await first.Page.GetByTestId("confirm-choices").WaitForAsync();
        await first.Page.GetByTestId("kiosk-end").ClickAsync();
        await first.Page.GetByTestId("kiosk-finished").WaitForAsync();
        await page.GetByTestId("kiosk-find").ClickAsync();
        await page.GetByTestId("kiosk-may-vote").WaitForAsync();
        Assert.Equal(1, await page.GetByTestId("kiosk-handover").CountAsync());
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task A_round_with_nothing_on_its_ballot_is_refused_at_the_clerks_check_with_its_reason_and_no_hand_over()
    {
        // A round in its voting window whose shortlist was never published, with a facility and a voter of age.
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = RoundSamples.NewRoundId();
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9));
        string Day(int days) => today.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}", new
        {
            name = "投票用紙のない募集回",
            nameEn = "A round with nothing on its ballot",
            schedule = new { callOpens = Day(-60), callCloses = Day(-30), votingOpens = Day(-1), votingCloses = Day(30), resultsDue = Day(60) },
            rules = new { maxVotesPerVoter = 3, minimumAge = 18, maxProposalsPerProposer = 3 },
        }), 201);
        await Ballots.PlatformVoting.LoadRegisterAsync(admin, roundId, "voter_key,name_kana,birthdate,postcode\n" + Ballots.PlatformVoting.Adult("ns-001"));
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}/facilities", new[] { new { code = "F01", name = "区役所 1階" } }), 200);

        var problems = new List<string>();
        await using var session = await BrowserSession.OpenAsync(platform, 1280, 800);
        await session.SignInAsync(platform, "clerk");
        var page = session.Page;
        await page.GotoAsync(new Uri(platform.Web, $"/kiosk/open/{roundId}").ToString());
        await page.GetByTestId("kiosk-voter-key").FillAsync("ns-001");
        await page.GetByTestId("kiosk-find").ClickAsync();
        await page.GetByTestId("kiosk-check-refused").WaitForAsync();
        Assert.Equal("no-shortlist", await page.GetByTestId("kiosk-check").GetAttributeAsync("data-code"));
        Assert.Contains("投票の対象となる提案（投票用紙）がまだ公表されていません", await page.GetByTestId("kiosk-check-refused").InnerTextAsync());
        Assert.Equal(0, await page.GetByTestId("kiosk-handover").CountAsync());
        await CheckPageAsync(session, "clerk-no-shortlist", "ja", problems);

        await session.SwitchLanguageAsync("en");
        await page.GetByTestId("kiosk-voter-key").FillAsync("ns-001");
        await page.GetByTestId("kiosk-find").ClickAsync();
        await page.GetByTestId("kiosk-check-refused").WaitForAsync();
        Assert.Contains("the shortlist has not been published", await page.GetByTestId("kiosk-check-refused").InnerTextAsync());
        Assert.Equal(0, await page.GetByTestId("kiosk-handover").CountAsync());
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
