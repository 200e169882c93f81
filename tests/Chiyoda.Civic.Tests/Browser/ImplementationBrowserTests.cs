using System.Net.Http.Json;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Tests.Implementation;
using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// After the vote: department staff record a new status and an indicator's actual on the editor page; a resident on a
/// 390×844 phone then reads 「提案のその後」 with the new step, in Japanese and in English, follows the proposal, and finds
/// it on the ward-wide list. axe on every page; screenshots (phone and desktop, ja and en) to artifacts/screenshots/.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(SecondPlatformCollection.Name)]
public sealed class ImplementationBrowserTests(SecondPlatformFixture platform)
{
    [Fact]
    public async Task Department_staff_update_a_record_and_a_resident_on_a_phone_reads_what_happened_next()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ImplementationApiTests.PublishedRoundAsync(platform, admin);
        var record = $"/api/v1/rounds/{roundId}/proposals/p-001/implementation";
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{record}/assignees",
            new { requestId = "assign", assignees = new[] { new { sub = "department", name = "所管課 職員" } } }), 200);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{record}/indicators/procedures",
            new { requestId = "indicator", name = "電子化実施手続数", nameEn = "Procedures with electronic notices", unit = "手続", unitEn = "procedures", target = 20, targetDate = "2027-03-31" }), 200);

        // Department staff, on a desktop, in Japanese.
        await using (var staff = await BrowserSession.OpenAsync(platform, 1280, 800))
        {
            var page = staff.Page;
            await staff.SignInAsync(platform, "department");
            await page.GotoAsync(new Uri(platform.Web, $"/implementation/{roundId}/p-001/edit").ToString());
            await page.Locator("[data-interactive=true]").WaitForAsync();
            await staff.AssertAccessibleAsync("the implementation editor");
            // Nothing is chosen for them: one tap records nothing, and each missing choice is named under its own field.
            var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal("", await page.GetByTestId("status-select").InputValueAsync());
            Assert.Equal("", await page.GetByTestId("status-date").InputValueAsync());
            await page.GetByTestId("save-status").ClickAsync();
            Assert.Contains("状況を選んでください", await page.GetByTestId("status-error").InnerTextAsync());
            Assert.Contains("段階の日付を入力してください", await page.GetByTestId("status-date-error").InnerTextAsync());
            // Each message goes once its own field is put right (a stale one used to stay); the other stays until then.
            await page.GetByTestId("status-select").SelectOptionAsync("budget-consideration");
            await Assertions.Expect(page.GetByTestId("status-error")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByTestId("status-date-error")).ToHaveCountAsync(1);
            await page.GetByTestId("status-date").FillAsync(today);
            await Assertions.Expect(page.GetByTestId("status-date-error")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByTestId("implementation-errors")).ToHaveCountAsync(0);
            // An English field left empty shows the Japanese text on the English page: the editor says so under it.
            Assert.Contains("日本語の文", await page.GetByTestId("note-en-hint").InnerTextAsync());
            Assert.Contains("日本語の文", await page.GetByTestId("indicator-name-en-hint").InnerTextAsync());
            await page.GetByTestId("department-select").SelectOptionAsync("政策経営部 DX戦略課");
            await page.GetByTestId("status-note").FillAsync("区民投票の結果を踏まえ、予算化を検討しています。");
            // A step that tells people is confirmed first; going back records nothing.
            await page.GetByTestId("save-status").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "やめる" }).ClickAsync();
            Assert.Equal(1, (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("steps").GetArrayLength());
            await page.GetByTestId("save-status").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "記録してお知らせする" }).ClickAsync();
            await page.GetByTestId("implementation-message").WaitForAsync();
            Assert.Contains("予算化検討", await page.GetByTestId("implementation-timeline").InnerTextAsync());

            await page.GetByTestId("actual-value").FillAsync("6");
            await page.GetByTestId("actual-note").FillAsync("4月分の集計");
            await page.GetByTestId("save-actual").ClickAsync();
            await page.GetByTestId("indicator-table").WaitForAsync();
            Assert.Contains("6", await page.GetByTestId("indicator-table").InnerTextAsync());

            // Not pursuing it without a reason is refused with a message that names the field, and says so under it.
            await page.GetByTestId("status-select").SelectOptionAsync("not-pursued");
            await page.GetByTestId("status-date").FillAsync(today);
            await page.GetByTestId("save-status").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "記録してお知らせする" }).ClickAsync();
            await page.GetByTestId("implementation-errors").WaitForAsync();
            Assert.Contains("公開するメモ", await page.GetByTestId("implementation-errors").InnerTextAsync());
            Assert.Contains("理由", await page.GetByTestId("note-error").InnerTextAsync());
            await PageWalk.ScreenshotAsync(page, "implementation-editor-ja-desktop");

            // On a phone: changing the indicator's target keeps its target date (the form used to drop it).
            await page.SetViewportSizeAsync(390, 844);
            Assert.Equal("", await page.GetByTestId("indicator-target-date").InputValueAsync()); // a new indicator starts empty
            await page.GetByTestId("indicator-choice").SelectOptionAsync("procedures");
            // The chosen indicator is loaded over the circuit after the change event: wait for it, do not read at once.
            await Assertions.Expect(page.GetByTestId("indicator-target-date")).ToHaveValueAsync("2027-03-31");
            await page.GetByTestId("indicator-target").FillAsync("25");
            await page.GetByTestId("save-indicator").ClickAsync();
            await page.GetByTestId("implementation-message").Filter(new() { HasText = "指標を保存しました" }).WaitForAsync();
            var saved = await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200);
            var indicator = saved.GetProperty("indicators")[0];
            Assert.Equal((25m, "2027-03-31"), (indicator.GetProperty("target").GetDecimal(), indicator.GetProperty("targetDate").GetString()));
            Assert.Equal("2027-03-31", await page.GetByTestId("indicator-target-date").InputValueAsync());

            // Adding another starts from an empty form; its own messages sit under its own fields; the first is untouched.
            await page.GetByTestId("indicator-choice").SelectOptionAsync("");
            foreach (var field in new[] { "indicator-name", "indicator-name-en", "indicator-target-date" })
            {
                await Assertions.Expect(page.GetByTestId(field)).ToHaveValueAsync("");
            }
            await page.GetByTestId("indicator-id").FillAsync("online-share");
            await page.GetByTestId("save-indicator").ClickAsync();
            Assert.Contains("指標名を", await page.GetByTestId("indicator-name-error").InnerTextAsync());
            Assert.Contains("単位を", await page.GetByTestId("indicator-unit-error").InnerTextAsync());
            Assert.Contains("目標値は", await page.GetByTestId("indicator-target-error").InnerTextAsync());
            Assert.Equal(0, await page.GetByTestId("indicator-id-error").CountAsync());
            var first = (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("indicators")[0];
            Assert.Equal(("Procedures with electronic notices", "2027-03-31"), (first.GetProperty("nameEn").GetString(), first.GetProperty("targetDate").GetString()));

            // A target date out of range is named under its field, and the message goes once the date is put right.
            await page.GetByTestId("indicator-target-date").FillAsync("1999-12-31");
            await page.GetByTestId("save-indicator").ClickAsync();
            await Assertions.Expect(page.GetByTestId("indicator-target-date-error")).ToContainTextAsync("目標の期日（1999年12月31日）");
            await page.GetByTestId("indicator-target-date").FillAsync("2027-03-31");
            await Assertions.Expect(page.GetByTestId("indicator-target-date-error")).ToHaveCountAsync(0);

            // Deleting an actual asks first; going back keeps it. The answer closes the dialog on the click itself, not after a
            // round trip to the server: until then the page behind is inert, and what was typed into it just after went nowhere
            // (a value filled here once never reached the form).
            await page.GetByTestId("delete-actual").First.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alertdialog)).ToBeVisibleAsync();
            Assert.False(await page.EvaluateAsync<bool>(
                "() => { const d = document.querySelector('[data-testid=confirm-dialog][open]'); d.querySelector('[data-testid=confirm-cancel]').click(); return d.open; }"),
                "the dialog is closed as soon as 「やめる」 is clicked");
            Assert.Equal(1, await page.GetByTestId("delete-actual").CountAsync());

            // An actual dated in the future is refused on the page, naming the date and what is wrong with it.
            await page.GetByTestId("actual-date").FillAsync("2099-01-01");
            await page.GetByTestId("actual-value").FillAsync("20");
            await page.GetByTestId("save-actual").ClickAsync();
            await page.GetByTestId("implementation-errors").Filter(new() { HasText = "実績の日付（2099年1月1日）が未来の日付です" }).WaitForAsync();
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "no horizontal scroll on a phone");
            await staff.AssertAccessibleAsync("the implementation editor on a phone");
            await PageWalk.ScreenshotAsync(page, "implementation-editor-ja-phone");

            // Put right, the date's message goes (with the summary), before anything is saved.
            await page.GetByTestId("actual-date").FillAsync(today);
            await Assertions.Expect(page.GetByTestId("actual-date-error")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByTestId("implementation-errors")).ToHaveCountAsync(0);

            // Today already has an actual (6, with a note): a second one on that date is never a silent replacement. The page
            // asks "replace 6 with 20?" and says what becomes of the note (the whole actual is replaced: the note typed now,
            // or none); going back keeps 6, replacing sends the request with replace.
            await page.GetByTestId("actual-note").FillAsync("5月に再集計");
            await page.GetByTestId("save-actual").ClickAsync();
            var question = page.GetByRole(AriaRole.Alertdialog);
            await Assertions.Expect(question).ToHaveAccessibleNameAsync("実績を備考ごと置き換えますか");
            await Assertions.Expect(question).ToContainTextAsync("6 を 20 に置き換えますか");
            await Assertions.Expect(question).ToContainTextAsync("備考も、いま入力した備考に置き換わります");
            await page.GetByRole(AriaRole.Button, new() { Name = "やめる" }).ClickAsync();
            Assert.Equal(6m, (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("indicators")[0].GetProperty("actuals")[0].GetProperty("value").GetDecimal());
            await page.GetByTestId("actual-note").FillAsync("");
            await page.GetByTestId("save-actual").ClickAsync();
            await Assertions.Expect(question).ToContainTextAsync("備考欄が空のため、いまの備考は消えます");
            await AssertDialogFitsAsync(page, "implementation-confirm-ja-phone");
            await page.GetByRole(AriaRole.Button, new() { Name = "置き換える" }).ClickAsync();
            await page.GetByTestId("implementation-message").Filter(new() { HasText = "実績を置き換えました" }).WaitForAsync();
            var actuals = (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("indicators")[0].GetProperty("actuals");
            Assert.Equal([20m], actuals.EnumerateArray().Select(a => a.GetProperty("value").GetDecimal()));
            Assert.False(actuals[0].TryGetProperty("note", out var note) && note.ValueKind == System.Text.Json.JsonValueKind.String, "the replaced actual's note went with it");
        }

        // 「統計」 on a phone: the year table scrolls sideways inside its region, and says so.
        await using (var reader = await BrowserSession.OpenAsync(platform, 390, 844))
        {
            foreach (var language in new[] { "ja", "en" })
            {
                await reader.Page.GotoAsync(new Uri(platform.Web, $"/culture/{language}?returnUrl=/statistics").ToString());
                var hint = reader.Page.GetByTestId("years-scroll-hint");
                await hint.WaitForAsync();
                Assert.True(await hint.IsVisibleAsync(), "the scroll hint shows on a phone");
                Assert.Contains(language == "ja" ? "横にスクロール" : "scrolls sideways", await hint.InnerTextAsync());
                Assert.True(await reader.Page.GetByTestId("years-scroll").EvaluateAsync<bool>("e => e.scrollWidth > e.clientWidth"), "the year table is wider than a phone and scrolls");
                Assert.True(await reader.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page itself does not scroll sideways");
                Assert.Contains(language == "ja" ? "満足度は回答が30件以上の回のみ公表" : "Satisfaction is published only for rounds with 30 or more answers",
                    await reader.Page.GetByTestId("satisfaction-rule").InnerTextAsync());
                await reader.AssertAccessibleAsync($"「統計」 on a phone ({language})");
                await PageWalk.ScreenshotAsync(reader.Page, $"statistics-years-{language}-phone");
                await reader.Page.SetViewportSizeAsync(1280, 800);
                Assert.False(await hint.IsVisibleAsync(), "no scroll hint where the table fits");
                await PageWalk.ScreenshotAsync(reader.Page, $"statistics-years-{language}-desktop");
                await reader.Page.SetViewportSizeAsync(390, 844);
            }
        }

        // A resident on a phone reads it, in Japanese then English, and follows it.
        await using var resident = await BrowserSession.OpenAsync(platform, 390, 844);
        var phone = resident.Page;
        await resident.SignInAsync(platform, "resident-45");
        foreach (var language in new[] { "ja", "en" })
        {
            await phone.GotoAsync(new Uri(platform.Web, $"/culture/{language}?returnUrl=/rounds/{roundId}/proposals/p-001").ToString());
            var section = phone.GetByTestId("implementation");
            await section.WaitForAsync();
            var text = await section.InnerTextAsync();
            Assert.Contains(language == "ja" ? "提案のその後" : "What happened next", text);
            Assert.Contains(language == "ja" ? "予算化検討" : "Budget under consideration", await phone.GetByTestId("implementation-timeline").InnerTextAsync());
            Assert.Contains(language == "ja" ? "DX戦略課" : "DX Strategy Section", text);
            Assert.Equal(1, await phone.Locator("svg.indicator-chart[role=img]").CountAsync());
            Assert.Contains("80", await phone.Locator("#indicator-p-001-procedures-summary").InnerTextAsync()); // 20 (replacing 6) of the target 25 set on the phone
            // The chart's dates read as the table's (one format on the page, in each language).
            Assert.Equal(await phone.GetByTestId("indicator-table").Locator("tbody th time").First.InnerTextAsync(),
                await phone.Locator("svg.indicator-chart text.indicator-chart-label").First.TextContentAsync());
            Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "no horizontal scroll on a phone");
            await resident.AssertAccessibleAsync($"「提案のその後」 on a phone ({language})");
            await PageWalk.ScreenshotAsync(phone, $"implementation-proposal-{language}-phone");
            await phone.SetViewportSizeAsync(1280, 800);
            await PageWalk.ScreenshotAsync(phone, $"implementation-proposal-{language}-desktop");
            await phone.SetViewportSizeAsync(390, 844);

            await phone.GotoAsync(new Uri(platform.Web, "/implementation?status=budget-consideration").ToString());
            await phone.GetByTestId("implementation-filters").WaitForAsync();
            Assert.True(await phone.Locator($"a[href='/rounds/{roundId}/proposals/p-001#after']").CountAsync() == 1, "the ward-wide list shows the item under its status");
            await resident.AssertAccessibleAsync($"the ward-wide list ({language})");
            await PageWalk.ScreenshotAsync(phone, $"implementation-list-{language}-phone");
            await phone.SetViewportSizeAsync(1280, 800);
            await PageWalk.ScreenshotAsync(phone, $"implementation-list-{language}-desktop");
            await phone.SetViewportSizeAsync(390, 844);
        }

        await phone.GotoAsync(new Uri(platform.Web, $"/culture/ja?returnUrl=/rounds/{roundId}/proposals/p-002").ToString());
        await phone.GetByTestId("follow-button").ClickAsync();
        await BrowserSession.WaitForAddressAsync(phone, url => url.Contains("/proposals/p-002", StringComparison.Ordinal));
        await Assertions.Expect(phone.GetByTestId("follow-state")).ToContainTextAsync("フォローしています"); // the answer's page, not the one it replaced
        // The page reopens at the follow section, not at its top: on a phone the new state is on screen.
        await Assertions.Expect(phone.GetByTestId("follow-state")).ToBeInViewportAsync();
        using var residentApi = await platform.ApiClientAsync("resident-45");
        Assert.True((await HttpAssertions.JsonAsync(await residentApi.GetAsync($"/api/v1/rounds/{roundId}/proposals/p-002/follow"), 200)).GetProperty("following").GetBoolean());
        await phone.GetByTestId("follow-button").ClickAsync();
        await phone.GetByTestId("follow-state").Filter(new() { HasText = "フォローをやめました" }).WaitForAsync();
        await Assertions.Expect(phone.GetByTestId("follow-state")).ToBeInViewportAsync();
        Assert.False((await HttpAssertions.JsonAsync(await residentApi.GetAsync($"/api/v1/rounds/{roundId}/proposals/p-002/follow"), 200)).GetProperty("following").GetBoolean());

        // An administrator withdraws the latest step only after a dialog that says what will happen; going back keeps it.
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"{record}/indicators/spare",
            new { requestId = "indicator-spare", name = "予備の指標", unit = "件", target = 5 }), 200);
        await using var administrator = await BrowserSession.OpenAsync(platform, 1280, 800);
        var editor = administrator.Page;
        await administrator.SignInAsync(platform, "admin");
        await editor.GotoAsync(new Uri(platform.Web, $"/culture/ja?returnUrl=/implementation/{roundId}/p-001/edit").ToString());
        await editor.Locator("[data-interactive=true]").WaitForAsync();
        await editor.GetByTestId("withdraw-reason").FillAsync("予算化検討の登録は誤り");
        await editor.GetByTestId("withdraw-step").ClickAsync();
        var dialog = editor.GetByRole(AriaRole.Alertdialog);
        await Assertions.Expect(dialog).ToHaveAccessibleNameAsync("直近の段階を取り消しますか");
        await Assertions.Expect(dialog).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("公開の経過から消え"));
        await Assertions.Expect(dialog).ToContainTextAsync("受信箱から取り消されます");
        await Assertions.Expect(dialog).ToContainTextAsync("訂正が届きます");
        // The focus starts on "cancel" (a reflexive Enter changes nothing).
        await administrator.WaitUntilAsync("document.activeElement?.dataset.testid === 'confirm-cancel'");
        // Tab goes round the two named buttons only. MudBlazor's dialog had unnamed focus-trap sentinels in between, stops
        // where a keyboard or screen-reader user met nothing. Past the last button the browser's own address bar may take
        // the focus (a modal <dialog> lets it): the page has no focus then, which is not a stop in the page.
        var stops = new List<string>();
        foreach (var key in new[] { "Tab", "Tab", "Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab" })
        {
            await editor.Keyboard.PressAsync(key);
            stops.Add(await editor.EvaluateAsync<string>("""
                () => !document.hasFocus() ? 'browser'
                    : `${document.activeElement?.dataset?.testid ?? document.activeElement?.tagName}:${(document.activeElement?.textContent ?? '').trim()}`
                """));
        }
        Assert.All(stops, stop => Assert.Contains(stop, new[] { "browser", "confirm-cancel:やめる", "confirm-yes:取り消して訂正を送る" }));
        Assert.Contains("confirm-yes:取り消して訂正を送る", stops);
        Assert.Contains("confirm-cancel:やめる", stops);
        await administrator.AssertAccessibleAsync("the confirmation dialog");
        await AssertDialogFitsAsync(editor, "implementation-confirm-ja-desktop");
        // Escape closes it as cancel, and the focus is back on the button that opened it.
        await editor.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await administrator.WaitUntilAsync("document.activeElement?.dataset.testid === 'withdraw-step'");
        Assert.Equal(2, (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("steps").GetArrayLength());
        await editor.GetByTestId("withdraw-step").ClickAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "やめる" }).ClickAsync();
        Assert.Equal(2, (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("steps").GetArrayLength());
        await editor.GetByTestId("withdraw-step").ClickAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "取り消して訂正を送る" }).ClickAsync();
        await editor.GetByTestId("implementation-message").Filter(new() { HasText = "取り消しました" }).WaitForAsync();
        Assert.Equal(1, (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("steps").GetArrayLength());

        // An indicator is deleted from the editor only after a dialog naming it; going back keeps it.
        await editor.GetByTestId("indicator-choice").SelectOptionAsync("spare");
        await Assertions.Expect(editor.GetByTestId("indicator-name")).ToHaveValueAsync("予備の指標");
        await editor.GetByTestId("delete-indicator").ClickAsync();
        await Assertions.Expect(editor.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("指標「予備の指標」と、その実績0件を削除します");
        await editor.GetByRole(AriaRole.Button, new() { Name = "やめる" }).ClickAsync();
        Assert.Equal(2, (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("indicators").GetArrayLength());
        await editor.GetByTestId("delete-indicator").ClickAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "削除する", Exact = true }).ClickAsync();
        await editor.GetByTestId("implementation-message").Filter(new() { HasText = "指標を削除しました" }).WaitForAsync();
        var kept = (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("indicators");
        Assert.Equal(["procedures"], kept.EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(0, await editor.Locator("#indicator-choice option[value=spare]").CountAsync());

        // In English on a phone: the longer words wrap and both buttons stay whole; Escape keeps the indicator.
        await editor.SetViewportSizeAsync(390, 844);
        await editor.GotoAsync(new Uri(platform.Web, $"/culture/en?returnUrl=/implementation/{roundId}/p-001/edit").ToString());
        await editor.Locator("[data-interactive=true]").WaitForAsync();
        await editor.GetByTestId("indicator-choice").SelectOptionAsync("procedures");
        await Assertions.Expect(editor.GetByTestId("indicator-name")).ToHaveValueAsync("電子化実施手続数");
        await editor.GetByTestId("delete-indicator").ClickAsync();
        await Assertions.Expect(editor.GetByRole(AriaRole.Alertdialog)).ToHaveAccessibleNameAsync("Delete the indicator?");
        await administrator.WaitUntilAsync("document.activeElement?.dataset.testid === 'confirm-cancel'");
        await AssertDialogFitsAsync(editor, "implementation-confirm-en-phone");
        await editor.Keyboard.PressAsync("Escape");
        await Assertions.Expect(editor.GetByRole(AriaRole.Alertdialog)).ToHaveCountAsync(0);
        Assert.Single((await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("indicators").EnumerateArray());
    }

    /// <summary>
    /// The open confirmation sits inside the window, its buttons whole inside it and its words wrapped (nothing wider than
    /// the dialog); a screenshot of the window as seen (not the full page: the dialog stays where the window is).
    /// </summary>
    private static async Task AssertDialogFitsAsync(IPage page, string screenshot)
    {
        var fits = await page.EvaluateAsync<string>("""
            () => {
              const dialog = document.querySelector('dialog[open]');
              const box = dialog.getBoundingClientRect();
              const inside = (r, o) => r.left >= o.left - 0.5 && r.right <= o.right + 0.5 && r.top >= o.top - 0.5 && r.bottom <= o.bottom + 0.5;
              const view = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
              if (!inside(box, view)) return 'the dialog leaves the window';
              if (dialog.scrollWidth > dialog.clientWidth) return 'the dialog scrolls sideways';
              for (const button of dialog.querySelectorAll('button')) {
                if (!inside(button.getBoundingClientRect(), box) || button.scrollWidth > button.clientWidth) return `"${button.textContent}" is clipped`;
              }
              return 'fits';
            }
            """);
        Assert.Equal("fits", fits);
        Directory.CreateDirectory(PageWalk.ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageWalk.ScreenshotDirectory, screenshot + ".png") });
    }

    /// <summary>The demo's second round, seeded behind the first start: published results and the 2024 story after the vote.</summary>
    [Fact]
    public async Task The_demo_shows_the_2024_story_after_the_vote()
    {
        using var anonymous = await platform.ApiClientAsync();
        System.Text.Json.JsonElement notices = default;
        for (var attempt = 0; attempt < 180; attempt++)
        {
            var response = await anonymous.GetAsync("/api/v1/rounds/demo-2024-results/proposals/p-001/implementation");
            if (response.IsSuccessStatusCode)
            {
                notices = await HttpAssertions.JsonAsync(response, 200);
                if (notices.GetProperty("indicators").GetArrayLength() == 1 && notices.GetProperty("indicators")[0].GetProperty("actuals").GetArrayLength() == 6
                    && notices.GetProperty("links").GetArrayLength() == 1)
                {
                    break;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.Equal("2024-11-26", notices.GetProperty("adoptedOn").GetString());

        // The demo round's own timeline reads in order: its call, vote and results are 2024's, before the adoption on
        // 2024-11-26 and the steps after it (the vote of the ward's report: 5 August to 20 September 2024).
        var adoptedOn = WardClock.StartOf(new DateOnly(2024, 11, 26));
        var schedule = (await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024-results"), 200)).GetProperty("schedule");
        var dates = new[] { "callOpens", "callCloses", "votingOpens", "votingCloses", "resultsDue" }
            .Select(name => schedule.GetProperty(name).GetDateTimeOffset()).ToList();
        Assert.True(dates.SequenceEqual(dates.Order()) && dates.All(d => d <= adoptedOn), string.Join(", ", dates));
        Assert.Equal(new DateTimeOffset(2024, 8, 5, 0, 0, 0, TimeSpan.FromHours(9)), dates[2]);
        Assert.Equal(new DateTimeOffset(2024, 9, 21, 0, 0, 0, TimeSpan.FromHours(9)), dates[3]);
        using (var demoAdmin = await platform.ApiClientAsync("admin"))
        {
            var counted = await HttpAssertions.JsonAsync(await demoAdmin.GetAsync("/api/v1/rounds/demo-2024-results/counting"), 200);
            var close = counted.GetProperty("close");
            Assert.True(close.GetProperty("closedAt").GetDateTimeOffset() < adoptedOn, close.ToString());
            Assert.False(close.GetProperty("early").GetBoolean());
            Assert.True(notices.GetProperty("steps").EnumerateArray().Skip(1)
                .All(s => DateOnly.Parse(s.GetProperty("date").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > new DateOnly(2024, 9, 20)));
        }
        Assert.Equal(["adopted", "budget-consideration", "budget-debate", "budget-passed", "in-progress"],
            notices.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("statusId").GetString()));
        var indicator = notices.GetProperty("indicators")[0];
        Assert.Equal(("電子化実施手続数", 20m), (indicator.GetProperty("name").GetString(), indicator.GetProperty("target").GetDecimal()));
        var calendars = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/rounds/demo-2024-results/proposals/p-002/implementation"), 200);
        Assert.Equal("電子化実施数", calendars.GetProperty("indicators")[0].GetProperty("name").GetString());
        Assert.Equal("evaluated", calendars.GetProperty("steps").EnumerateArray().Last().GetProperty("statusId").GetString());

        // One fiscal-year rule everywhere: the demo round was adopted on 2024-11-26, so it is FY2024 on /implementation, in
        // statistics.json and .csv and in proposals.csv alike (not the year it was published here). Its satisfaction is its voters'.
        const string Demo = "demo-2024-results";
        var items = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/implementation"), 200);
        Assert.All(items.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("roundId").GetString() == Demo),
            i => Assert.Equal(2024, i.GetProperty("fiscalYear").GetInt32()));
        var statistics = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/statistics.json"), 200);
        var demoRound = statistics.GetProperty("rounds").EnumerateArray().Single(r => r.GetProperty("roundId").GetString() == Demo);
        Assert.Equal(2024, demoRound.GetProperty("fiscalYear").GetInt32());
        // Its satisfaction is one total, published only from 30 answers: never a count of fewer.
        var demoSatisfaction = demoRound.GetProperty("satisfaction");
        Assert.True(demoSatisfaction.GetProperty("published").GetBoolean()
            ? demoSatisfaction.GetProperty("count").GetInt32() >= 30
            : demoSatisfaction.GetProperty("count").ValueKind == System.Text.Json.JsonValueKind.Null, "no satisfaction figure under 30 answers");
        Assert.Contains(statistics.GetProperty("years").EnumerateArray(), y => y.GetProperty("fiscalYear").GetInt32() == 2024);
        var statisticsCsv = await CsvCheck.ParseAsync(await anonymous.GetByteArrayAsync("/api/v1/statistics.csv"));
        Assert.All(statisticsCsv.Records.Where(r => r[0] == "round" && r[1] == Demo), r => Assert.Equal("2024", r[2]));
        var proposalsCsv = await CsvCheck.ParseAsync(await anonymous.GetByteArrayAsync("/api/v1/proposals.csv"));
        var demoProposals = proposalsCsv.Records.Where(r => r[0] == Demo).ToList();
        Assert.NotEmpty(demoProposals);
        Assert.All(demoProposals, r => Assert.Equal("2024", r[2]));
        // A round whose results are not published has adopted nothing yet, so no fiscal year: the demo round named 2024 with its
        // vote open today is not given the year of today's dates.
        var proposalsJson = await HttpAssertions.JsonAsync(await anonymous.GetAsync("/api/v1/proposals.json"), 200);
        Assert.All(proposalsJson.GetProperty("proposals").EnumerateArray().Where(p => p.GetProperty("roundId").GetString() == "demo-2024"),
            p => Assert.Equal(System.Text.Json.JsonValueKind.Null, p.GetProperty("fiscalYear").ValueKind));

        await using var session = await BrowserSession.OpenAsync(platform, 390, 844);
        foreach (var language in new[] { "ja", "en" })
        {
            await session.Page.GotoAsync(new Uri(platform.Web, $"/culture/{language}?returnUrl=/rounds/demo-2024-results/proposals/p-001").ToString());
            await session.Page.GetByTestId("implementation").WaitForAsync();
            Assert.Equal(6, await session.Page.GetByTestId("indicator-table").Locator("tbody tr").CountAsync() - 1);
            // At 390 px no column of the indicator table is crushed to a few characters a line: every cell keeps at least 40 px and
            // its text at most two lines, dates and numbers stay on one line, and what does not fit would scroll inside the table's
            // region, never the page.
            var cells = await session.Page.GetByTestId("indicator-table").First.EvaluateAsync<double[][]>(
                "t => [...t.querySelectorAll('th, td')].map(c => { const r = document.createRange(); r.selectNodeContents(c); " +
                "return [c.getBoundingClientRect().width, new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size, c.innerText.length]; })");
            Assert.All(cells, c => Assert.True(c[0] >= 40 && c[1] <= 2, $"a cell {c[0]:0} px wide with {c[1]} lines for {c[2]} characters ({language})"));
            var oneLine = await session.Page.GetByTestId("indicator-table").First.EvaluateAsync<bool>(
                "t => [...t.querySelectorAll('tbody time, tbody td:nth-child(2)')].every(c => { const r = document.createRange(); r.selectNodeContents(c); " +
                "return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size === 1; })");
            Assert.True(oneLine, $"a date or number wraps ({language})");
            Assert.True(await session.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"the page scrolls sideways ({language})");
            // The demo's table fits the phone as it is: nothing hidden to the right of its region.
            Assert.True(await session.Page.GetByTestId("indicator-scroll").First.EvaluateAsync<bool>("r => r.scrollWidth <= r.clientWidth + 1"), $"the table overflows its region ({language})");
            await session.Page.GetByTestId("indicator-scroll").First.ScrollIntoViewIfNeededAsync();
            await session.AssertAccessibleAsync($"the demo's 「提案のその後」 ({language})");
            Directory.CreateDirectory(PageWalk.ScreenshotDirectory);
            await session.Page.GetByTestId("indicator").First.ScreenshotAsync(new() { Path = Path.Combine(PageWalk.ScreenshotDirectory, $"implementation-indicator-table-{language}-phone.png") });
            await PageWalk.ScreenshotAsync(session.Page, $"implementation-demo-{language}-phone");
            await session.Page.GotoAsync(new Uri(platform.Web, "/implementation").ToString());
            Assert.True(await session.Page.GetByTestId("implementation-item").CountAsync() >= 2);
            await PageWalk.ScreenshotAsync(session.Page, $"implementation-list-all-{language}-phone");
            // The bar says the step its text says (it read 67 % beside "step 5 of 7"), to a screen reader too.
            var bar = session.Page.Locator($"a[href='/rounds/{Demo}/proposals/p-001#after']").Locator("xpath=ancestor::li").Locator("progress");
            Assert.Equal(("7", "5", language == "ja" ? "全7段階のうち5段階目" : "Step 5 of 7"),
                (await bar.GetAttributeAsync("max"), await bar.GetAttributeAsync("value"), await bar.GetAttributeAsync("aria-valuetext")));
        }

        // The demo's p-002 is at the path's last status (効果検証): its editor says so instead of a form with nothing to choose.
        await using var staff = await BrowserSession.OpenAsync(platform, 1280, 800);
        await staff.SignInAsync(platform, "department");
        await staff.Page.GotoAsync(new Uri(platform.Web, $"/culture/ja?returnUrl=/implementation/{Demo}/p-002/edit").ToString());
        await staff.Page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(staff.Page.GetByTestId("no-next-status")).ToContainTextAsync("この記録は最後の段階（効果検証）に達しているため、新しい状況は記録できません。");
        Assert.Equal(0, await staff.Page.GetByTestId("status-select").CountAsync());
        Assert.Equal(0, await staff.Page.GetByTestId("save-status").CountAsync());
        await staff.AssertAccessibleAsync("the editor of a record at its last status");
    }
}
