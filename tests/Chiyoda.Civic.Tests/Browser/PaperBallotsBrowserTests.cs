using System.Globalization;
using System.Text;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// Issue 5 in the browser, in Japanese and in English: an administrator lists the facilities, a clerk
/// opens a batch and keys it with the keyboard only (each row checked as it is typed), a second clerk
/// imports the same batch as a file with one line different, an administrator resolves the
/// disagreement and commits the batch, and the reconciliation adds up per batch and per facility.
/// axe (WCAG 2.2 AA) runs on every paper-ballot page on the way.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(SecondPlatformCollection.Name)]
public sealed class PaperBallotsBrowserTests(SecondPlatformFixture platform)
{
    private static readonly string Today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public async Task A_batch_is_keyed_by_keyboard_imported_by_a_second_clerk_resolved_and_committed(string language)
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

    [Fact]
    public async Task The_demo_round_has_two_facilities_so_a_clerk_can_open_a_batch_at_once()
    {
        await using var clerk = await OpenAsync("ja", "clerk");
        await GoAsync(clerk.Page, "/paper/demo-2024");
        await clerk.Page.Locator("[data-interactive=true]").WaitForAsync();
        var facilities = await clerk.Page.Locator("#batch-facility option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)");
        Assert.Equal(["F01", "F02"], facilities);
        Assert.Equal(0, await clerk.Page.GetByTestId("link-facilities").CountAsync());
        await clerk.AssertAccessibleAsync("the demo round's batch list");
    }

    private async Task JourneyAsync(string language)
    {
        var en = language == "en";
        using var adminApi = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.CreateRoundAsync(adminApi);
        var young = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).AddDays(3).AddYears(-18).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await PlatformVoting.LoadRegisterAsync(adminApi, roundId, string.Join('\n',
            "voter_key,name_kana,birthdate,postcode",
            PlatformVoting.Adult("v1", "クミン イチ"), PlatformVoting.Adult("v2", "クミン ニ"), PlatformVoting.Adult("v3", "クミン サン"), PlatformVoting.Adult("v4", "クミン ヨン"),
            "h1,ヤマダ ハナコ,1960-04-01,102-8688",
            $"young,ワカイ ハナコ,{young},102-8688") + "\n");

        // The administrator lists the round's facilities; a bad code is explained before it is fixed.
        await using var admin = await OpenAsync(language, "admin");
        await GoAsync(admin.Page, $"/admin/rounds/{roundId}/facilities");
        await admin.Page.Locator("[data-interactive=true]").WaitForAsync();
        await admin.AssertAccessibleOnTheJapaneseRunAsync($"the facilities page", language);
        await admin.Page.Locator("#facility-code-0").FillAsync("F 01");
        await admin.Page.Locator("#facility-name-0").FillAsync("区役所 1階");
        await admin.Page.GetByTestId("add-facility").ClickAsync();
        await admin.Page.Locator("#facility-code-1").FillAsync("F02");
        await admin.Page.Locator("#facility-name-1").FillAsync("神田公園出張所");
        await admin.Page.GetByTestId("save-facilities").ClickAsync();
        await admin.Page.GetByTestId("facility-errors").WaitForAsync();
        Assert.Equal("true", await admin.Page.Locator("#facility-code-0").GetAttributeAsync("aria-invalid"));
        await admin.AssertAccessibleOnTheJapaneseRunAsync($"the facilities page with an error", language);
        await admin.Page.Locator("#facility-code-0").FillAsync("F01");
        await admin.Page.GetByTestId("save-facilities").ClickAsync();
        await admin.Page.GetByTestId("facility-message").WaitForAsync();
        Assert.Equal(0, await admin.Page.GetByTestId("facility-errors").CountAsync());
        Assert.Equal(2, await admin.Page.GetByTestId("facility-row").CountAsync());

        // The clerk reaches the paper screens from the navigation and opens a batch for the box.
        var ballotsInBox = en ? 8 : 7;
        await using var clerk = await OpenAsync(language, "clerk");
        var page = clerk.Page;
        await page.GetByTestId("nav-paper").ClickAsync();
        await BrowserSession.WaitForAddressAsync(page, url => url.EndsWith("/paper", StringComparison.Ordinal));
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await clerk.AssertAccessibleOnTheJapaneseRunAsync($"the paper round list", language);
        await GoAsync(page, $"/paper/{roundId}");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await page.GetByTestId("no-batches").WaitForAsync();
        await clerk.AssertAccessibleOnTheJapaneseRunAsync($"the batch list", language);
        await page.Locator("#batch-facility").SelectOptionAsync("F01");
        Assert.Equal(Today, await page.Locator("#batch-session-date").InputValueAsync());
        await page.Locator("#batch-ballots").FillAsync(ballotsInBox.ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("open-batch").ClickAsync();
        await BrowserSession.WaitForAddressAsync(page, url => url.Contains($"/paper/{roundId}/f01-", StringComparison.Ordinal));
        var batchId = page.Url.Split('/')[^1];
        await page.Locator("[data-interactive=true]").WaitForAsync();
        Assert.Equal("open", await page.GetByTestId("batch-status").GetAttributeAsync("data-status"));
        await clerk.AssertAccessibleOnTheJapaneseRunAsync($"a batch just opened", language);

        // Keying with the keyboard only: the first serial has the focus; Enter moves field to field and row to row.
        await GoAsync(page, $"/paper/{roundId}/{batchId}/key");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await FocusOnAsync(page, "#row-1-serial");
        await clerk.AssertAccessibleOnTheJapaneseRunAsync($"the keying screen", language);
        var slashed = DateOnly.ParseExact(Today, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("yyyy/M/d", CultureInfo.InvariantCulture);
        await KeyRowAsync(page, 1, "P-001", "", "v1", "1 4 7");
        await KeyRowAsync(page, 2, "P-002", slashed, "ヤマダ ハナコ 1960-04-01", "2,3");
        await KeyRowAsync(page, 3, "P-003", "", "v2", "1 2 3 4");
        await KeyRowAsync(page, 4, "P-004", "", "young", "5");
        await KeyRowAsync(page, 5, "P-005", "", "v3", "8");
        await KeyRowAsync(page, 6, "P-006", "2020-01-01", "v4", "1");
        await KeyRowAsync(page, 7, "P-007", "", "nobody", "2");

        // Each row was checked as it was typed, and the problems are shown beside the rows.
        await RowStatusAsync(page, 1, "accepted-for-commit", "");
        await RowStatusAsync(page, 2, "accepted-for-commit", "");
        await RowStatusAsync(page, 3, "invalid", "too-many-choices");
        await RowStatusAsync(page, 4, "ineligible", "under-age");
        await RowStatusAsync(page, 5, "invalid", "unknown-proposal");
        await RowStatusAsync(page, 6, "ineligible", "cast-date-outside-window");
        await RowStatusAsync(page, 7, "ineligible", "not-on-register");
        Assert.Equal("h1", await page.Locator("#row-2-voter").InputValueAsync());
        Assert.Equal(Today, await page.Locator("#row-2-cast-date").InputValueAsync());
        Assert.Contains("ヤマダ ハナコ", await Row(page, 2).GetByTestId("voter-found").InnerTextAsync());
        Assert.Contains(en ? "more proposals marked than allowed" : "選べる数", await Row(page, 3).GetByTestId("row-check").InnerTextAsync());
        Assert.Contains(en ? "under the voting age" : "投票できる年齢", await Row(page, 4).GetByTestId("row-check").InnerTextAsync());
        Assert.Contains(en ? "not on the ballot" : "投票用紙にない", await Row(page, 5).GetByTestId("row-check").InnerTextAsync());
        Assert.Contains(en ? "outside the voting window" : "投票期間の外", await Row(page, 6).GetByTestId("row-check").InnerTextAsync());
        Assert.Contains(en ? "not on the voter register" : "投票者名簿に載っていません", await Row(page, 7).GetByTestId("row-check").InnerTextAsync());
        Assert.Contains(en ? "7 of 8" : "入力した投票用紙：7枚", await page.GetByTestId("keyed-count").InnerTextAsync());
        await clerk.AssertAccessibleOnTheJapaneseRunAsync($"the keying screen with problems shown", language);

        // Enter on the blank row after the last ballot goes to Save; Enter saves.
        await page.Keyboard.PressAsync("Enter");
        await FocusOnAsync(page, "[data-testid=save-keying]");
        await page.Keyboard.PressAsync("Enter");
        await page.GetByTestId("keying-saved").WaitForAsync();
        var typedReport = await ReportAsync(page);
        Assert.Equal(7, typedReport.Count);
        Assert.Equal(("accepted-for-commit", ""), typedReport["P-001"]);
        Assert.Equal(("accepted-for-commit", ""), typedReport["P-002"]);
        Assert.Equal(("invalid", "too-many-choices"), typedReport["P-003"]);
        Assert.Equal(("ineligible", "under-age"), typedReport["P-004"]);
        Assert.Equal(("invalid", "unknown-proposal"), typedReport["P-005"]);
        Assert.Equal(("ineligible", "cast-date-outside-window"), typedReport["P-006"]);
        Assert.Equal(("ineligible", "not-on-register"), typedReport["P-007"]);
        await clerk.AssertAccessibleOnTheJapaneseRunAsync($"the keying screen after saving", language);

        // The second clerk imports the same box as a file; a file that is not a ballot file is refused whole first.
        await using var clerk2 = await OpenAsync(language, "clerk-2");
        var page2 = clerk2.Page;
        await GoAsync(page2, $"/paper/{roundId}/{batchId}/import");
        await page2.Locator("[data-interactive=true]").WaitForAsync();
        await clerk2.AssertAccessibleOnTheJapaneseRunAsync($"the import page", language);
        await page2.GetByTestId("paper-file").SetInputFilesAsync(new FilePayload
        {
            Name = "meibo.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("voter_key,name_kana,birthdate,postcode\nv1,クミン イチ,1980-01-01,102-8688\n"),
        });
        var refused = page2.GetByTestId("import-refused");
        await refused.WaitForAsync();
        Assert.Equal("not-a-paper-ballot-file", await refused.GetAttributeAsync("data-code"));
        Assert.Contains(en ? "The whole file was refused" : "ファイル全体を受け付けませんでした", await refused.InnerTextAsync());
        await clerk2.AssertAccessibleOnTheJapaneseRunAsync($"the import page with a refused file", language);

        var file = PaperFile(
            $"P-001,F01,{Today},v1,1;4;6",
            $"P-002,F01,{Today},h1,2;3",
            $"P-003,F01,{Today},v2,1;2;3;4",
            $"P-004,F01,{Today},young,5",
            $"P-005,F01,{Today},v3,8",
            "P-006,F01,2020-01-01,v4,1",
            $"P-007,F01,{Today},nobody,2");
        await page2.GetByTestId("paper-file").SetInputFilesAsync(new FilePayload { Name = "box-f01.csv", MimeType = "text/csv", Buffer = file });
        await page2.GetByTestId("import-saved").WaitForAsync();
        Assert.Equal(0, await page2.GetByTestId("import-refused").CountAsync());
        var imported = await ReportAsync(page2);
        Assert.Equal(7, imported.Count);
        Assert.Equal(("invalid", "too-many-choices"), imported["P-003"]);
        Assert.Equal(("ineligible", "cast-date-outside-window"), imported["P-006"]);
        Assert.Contains(en ? "The keyings disagree" : "2回の入力が一致しません", await page2.GetByTestId("import-saved").InnerTextAsync());
        await clerk2.AssertAccessibleOnTheJapaneseRunAsync($"the import page with its report", language);

        // The first clerk sees the disagreement, but only an administrator may resolve it.
        await GoAsync(page, $"/paper/{roundId}/{batchId}");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await page.GetByTestId("disagreement").WaitForAsync();
        Assert.Equal(0, await page.GetByTestId("take-first").CountAsync());
        Assert.True(await page.GetByTestId("commit").IsDisabledAsync());
        await clerk.AssertAccessibleOnTheJapaneseRunAsync($"the batch page with a disagreement, as a clerk", language);

        // The administrator sees the two keyings side by side and resolves the one line.
        var adminPage = admin.Page;
        await GoAsync(adminPage, $"/paper/{roundId}/{batchId}");
        await adminPage.Locator("[data-interactive=true]").WaitForAsync();
        var disagreement = adminPage.GetByTestId("disagreement");
        await disagreement.WaitForAsync(); // the page turns interactive before the two keyings are loaded
        Assert.Equal(1, await disagreement.CountAsync());
        Assert.Equal("P-001", await disagreement.GetAttributeAsync("data-key"));
        var choices = disagreement.Locator("tr[data-field=choices]");
        Assert.Equal("1 4 7", (await choices.Locator("td[data-side=first]").InnerTextAsync()).Trim());
        Assert.Equal("1 4 6", (await choices.Locator("td[data-side=second]").InnerTextAsync()).Trim());
        Assert.Contains("differs", await choices.GetAttributeAsync("class") ?? "");
        // Only the fields in dispute are shown: the voter key, on which the keyings agree, is not shown beside the choices.
        Assert.Equal(0, await disagreement.Locator("tr[data-field=voter]").CountAsync());
        await admin.AssertAccessibleOnTheJapaneseRunAsync($"the batch page with a disagreement", language);
        if (en)
        {
            await disagreement.GetByTestId("rekey").ClickAsync();
            await adminPage.Locator("#rekey-choices").FillAsync("7 4 1");
            await admin.AssertAccessibleOnTheJapaneseRunAsync($"the batch page re-keying a line", language);
            await adminPage.GetByTestId("save-rekey").ClickAsync();
        }
        else
        {
            await disagreement.GetByTestId("take-first").ClickAsync();
        }

        await adminPage.Locator("[data-testid=disagreement][data-resolved=true]").WaitForAsync();
        await adminPage.Locator("[data-testid=batch-status][data-status=agreed]").WaitForAsync();
        Assert.Contains(en ? "Resolved" : "解決済み", await adminPage.GetByTestId("resolution").InnerTextAsync());

        // Commit: the Japanese box adds up; the English one holds one ballot more than was keyed, so the
        // administrator must record why before committing.
        var commit = adminPage.GetByTestId("commit");
        if (en)
        {
            await adminPage.GetByTestId("does-not-add-up").WaitForAsync();
            Assert.True(await commit.IsDisabledAsync());
            await adminPage.Locator("#forced-reason").FillAsync("One ballot in the box was a blank sheet of paper, not a ballot.");
            await adminPage.Locator("#forced-reason").BlurAsync();
            await adminPage.Locator("[data-testid=commit]:not([disabled])").WaitForAsync();
        }
        else
        {
            Assert.Equal(0, await adminPage.GetByTestId("does-not-add-up").CountAsync());
        }

        await admin.AssertAccessibleOnTheJapaneseRunAsync($"the batch page ready to commit", language);
        await commit.ClickAsync();
        await adminPage.GetByTestId("committed").WaitForAsync(new() { Timeout = 30_000 });
        if (en)
        {
            Assert.Contains("blank sheet", await adminPage.GetByTestId("forced-reason").InnerTextAsync());
        }

        var final = await adminPage.GetByTestId("line-row").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.serial, r.dataset.status, r.dataset.reason])");
        var outcomes = final.ToDictionary(r => r[0], r => (r[1], r[2]));
        Assert.Equal(("accepted", ""), outcomes["P-001"]);
        Assert.Equal(("accepted", ""), outcomes["P-002"]);
        Assert.Equal(("invalid", "too-many-choices"), outcomes["P-003"]);
        Assert.Equal(("ineligible", "under-age"), outcomes["P-004"]);
        Assert.Equal(("invalid", "unknown-proposal"), outcomes["P-005"]);
        Assert.Equal(("ineligible", "cast-date-outside-window"), outcomes["P-006"]);
        Assert.Equal(("ineligible", "not-on-register"), outcomes["P-007"]);
        var batchRow = adminPage.GetByTestId("batch-reconciliation").GetByTestId("reconciliation-row");
        Assert.Equal(ballotsInBox.ToString(CultureInfo.InvariantCulture), await Cell(batchRow, "box"));
        Assert.Equal("7", await Cell(batchRow, "keyed"));
        Assert.Equal("2", await Cell(batchRow, "accepted"));
        Assert.Equal("2", await Cell(batchRow, "invalid"));
        Assert.Equal("3", await Cell(batchRow, "ineligible"));
        Assert.Equal("0", await Cell(batchRow, "pending"));
        Assert.Equal(en ? "false" : "true", await batchRow.GetAttributeAsync("data-adds-up"));
        await admin.AssertAccessibleOnTheJapaneseRunAsync($"the committed batch", language);

        // Per facility, the committed batch is added up; F02 has none.
        await GoAsync(page, $"/paper/{roundId}");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await page.Locator($"[data-testid=batch-row][data-batch='{batchId}'][data-status=committed]").WaitForAsync();
        var facilityRow = page.GetByTestId("facility-reconciliation").Locator("[data-testid=reconciliation-row][data-key=F01]");
        Assert.Equal("7", await Cell(facilityRow, "keyed"));
        Assert.Equal("2", await Cell(facilityRow, "accepted"));
        Assert.Equal("0", await Cell(page.GetByTestId("facility-reconciliation").Locator("[data-testid=reconciliation-row][data-key=F02]"), "keyed"));
        await clerk.AssertAccessibleOnTheJapaneseRunAsync($"the batch list after the commit", language);

        // The two accepted ballots are their voters' votes now.
        var turnout = await HttpAssertions.JsonAsync(await adminApi.GetAsync($"/api/v1/rounds/{roundId}/turnout"), 200);
        Assert.Equal(2, turnout.GetProperty("paperVoters").GetInt32());
    }

    /// <summary>Types one ballot's row with the keyboard (Enter after each field) and checks the focus moved on to the next row.</summary>
    private static async Task KeyRowAsync(IPage page, int row, string serial, string castDate, string voter, string choices)
    {
        await FocusOnAsync(page, $"#row-{row}-serial");
        foreach (var (field, value) in new[] { ("serial", serial), ("cast-date", castDate), ("voter", voter), ("choices", choices) })
        {
            await FocusOnAsync(page, $"#row-{row}-{field}");
            if (value.Length > 0)
            {
                await page.Keyboard.TypeAsync(value);
            }

            await page.Keyboard.PressAsync("Enter");
        }

        await FocusOnAsync(page, $"#row-{row + 1}-serial");
    }

    /// <summary>Waits until the element (a CSS selector) has the keyboard focus.</summary>
    private static Task FocusOnAsync(IPage page, string selector) => page.Locator($"{selector}:focus").WaitForAsync();

    private static ILocator Row(IPage page, int row) => page.Locator($"[data-testid=keying-row][data-row='{row}']");

    /// <summary>Waits for the row's check to settle on this outcome (a row is checked again as each of its fields arrives).</summary>
    private static Task RowStatusAsync(IPage page, int row, string status, string reason) =>
        page.Locator($"[data-testid=keying-row][data-row='{row}'][data-status='{status}'][data-reason='{reason}']").WaitForAsync();

    private static async Task<Dictionary<string, (string Status, string Reason)>> ReportAsync(IPage page)
    {
        var lines = await page.GetByTestId("report-line").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.serial, r.dataset.status, r.dataset.reason])");
        return lines.ToDictionary(l => l[0], l => (l[1], l[2]));
    }

    private static async Task<string> Cell(ILocator row, string column) =>
        (await row.Locator($"[data-col={column}]").InnerTextAsync()).Trim();

    private static byte[] PaperFile(params string[] lines) =>
        Encoding.UTF8.GetBytes("ballot_serial,facility,cast_date,voter_key,choices\r\n" + string.Join("\r\n", lines) + "\r\n");

    /// <summary>A fresh browser in the language, signed in as the account.</summary>
    private async Task<BrowserSession> OpenAsync(string language, string account)
    {
        var session = await BrowserSession.OpenAsync(platform);
        await session.SignInAsync(platform, account);
        if (language != "ja")
        {
            await GoAsync(session.Page, $"/culture/{language}?returnUrl=/");
            await session.WaitUntilAsync($"document.documentElement.lang === '{language}'");
        }

        return session;
    }

    private async Task GoAsync(IPage page, string path) => await page.GotoAsync(new Uri(platform.Web, path).ToString());
}
