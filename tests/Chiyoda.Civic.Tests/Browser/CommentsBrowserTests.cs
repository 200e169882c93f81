using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// Comments as people use them: a resident on a phone writes (an empty try first, its message brought into view), edits (angle
/// brackets kept as written), sees a link stay text, deletes another comment only after being asked, and is refused a post
/// past the rate limit with the message in view; another resident at a desk, in English, replies and reports it; the moderator hides it with a reason; a visitor sees the reason
/// and not the words; the ballot page shows no comments; the author finds the hiding, with its reason, in their inbox.
/// Axe, language, boundaries and target sizes on each screen.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(WalkPlatformCollection.Name)]
public sealed class CommentsBrowserTests(WalkPlatformFixture platform)
{
    private const string Round = "demo-2024";
    private const string Proposal = "p-007";

    [Fact]
    public async Task Residents_comment_reply_and_report_and_the_moderator_hides_with_a_public_reason()
    {
        var problems = new List<string>();
        var proposalPage = new Uri(platform.Web, $"/rounds/{Round}/proposals/{Proposal}").ToString();
        var marker = "案内板 " + Guid.NewGuid().ToString("N")[..8];
        var (first, second) = ("voter:cb" + Guid.NewGuid().ToString("N")[..8], "voter:cb" + Guid.NewGuid().ToString("N")[..8]);

        // A resident on a phone, in Japanese.
        await using (var phone = await BrowserSession.OpenAsync(platform, 390, 844))
        {
            await phone.SignInAsync(platform, first);
            var page = phone.Page;
            await page.GotoAsync(proposalPage);
            await page.GetByTestId("comment-form").WaitForAsync();
            await page.GetByTestId("comment-post").ClickAsync();
            Assert.Equal("comment-empty", await page.GetByTestId("comment-error").GetAttributeAsync("data-code"));
            Assert.Contains("意見を入力してください", await page.GetByTestId("comment-error").InnerTextAsync());
            // On a phone the form is far down the page: the error summary takes the focus and the view, not the heading.
            await AssertMessageInViewAsync(page, "an empty post");
            await CheckAsync(phone, "error", "ja", problems);

            // The count under the box follows what is typed, and says at once when the text is over the limit the hint names.
            Assert.Contains("0 / 500字", await page.GetByTestId("comment-count").InnerTextAsync());
            await page.GetByTestId("comment-input").FillAsync(new string('あ', 501));
            Assert.Contains("500字を超えています（いま501字）", await page.GetByTestId("comment-count").InnerTextAsync());
            Assert.Contains("field-error", await page.GetByTestId("comment-count").GetAttributeAsync("class"));
            await page.GetByTestId("comment-input").FillAsync(new string('あ', 12));
            Assert.Equal("12 / 500字", (await page.GetByTestId("comment-count").InnerTextAsync()).Trim());

            await page.GetByTestId("comment-input").FillAsync($"{marker}を増やしてほしい。\n詳しくは https://example.jp/annai をご覧ください。");
            await page.GetByTestId("comment-post").ClickAsync();
            await page.GetByTestId("comment-done").WaitForAsync();
            // The reloaded page puts the focus on what was just done (a screen reader says it); the view stays on the new comment.
            await phone.WaitUntilAsync("document.activeElement?.dataset.testid === 'comment-done'");
            var mine = page.Locator("[data-testid=comment]", new() { HasText = marker });
            Assert.Equal(1, await mine.GetByTestId("comment-mine").CountAsync());
            Assert.Equal(0, await mine.Locator("a[href^='https://example.jp']").CountAsync());
            Assert.Contains("https://example.jp/annai", await mine.GetByTestId("comment-text").InnerTextAsync());
            await CheckAsync(phone, "thread", "ja", problems);

            await mine.GetByTestId("comment-edit").ClickAsync();
            await page.GetByTestId("comment-save").WaitForAsync();
            await CheckAsync(phone, "edit", "ja", problems);
            // Angle brackets in ordinary writing are not HTML: taken, and shown exactly as written.
            var edited = $"{marker}を駅前に増やしてほしい。費用 < 効果 <3 (1 < 2 > 0, x<y)";
            await page.GetByTestId("comment-input").FillAsync(edited);
            await page.GetByTestId("comment-save").ClickAsync();
            await page.GetByTestId("comment-done").WaitForAsync();
            Assert.Equal(edited, await page.Locator("[data-testid=comment]", new() { HasText = marker }).GetByTestId("comment-text").InnerTextAsync());

            // Deleting asks first, on a page of its own: going back keeps the comment; only 「削除する」 there deletes it.
            var spare = "あとで消す意見 " + Guid.NewGuid().ToString("N")[..8];
            await page.GetByTestId("comment-input").FillAsync(spare);
            await page.GetByTestId("comment-post").ClickAsync();
            await page.GetByTestId("comment-done").WaitForAsync();
            var toDelete = page.Locator("[data-testid=comment]", new() { HasText = spare });
            await toDelete.GetByTestId("comment-edit").ClickAsync();
            await page.GetByTestId("comment-delete").ClickAsync();
            await page.GetByTestId("comment-delete-confirm").WaitForAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("この意見を削除しますか？");
            Assert.Equal(1, await toDelete.CountAsync());
            // The deleting button is the ward's error red, not the blue of every safe action.
            var red = await page.EvaluateAsync<string>("() => { const probe = document.createElement('span'); probe.style.color = 'var(--civic-error)'; document.body.append(probe); const c = getComputedStyle(probe).color; probe.remove(); return c; }");
            Assert.Equal(red, await page.GetByTestId("comment-delete-confirm").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
            await CheckAsync(phone, "delete", "ja", problems);
            await page.GetByTestId("comment-delete-cancel").ClickAsync();
            await page.GetByTestId("comment-save").WaitForAsync();
            Assert.Equal(1, await toDelete.CountAsync());
            await page.GetByTestId("comment-delete").ClickAsync();
            await page.GetByTestId("comment-delete-confirm").ClickAsync();
            Assert.Contains("削除しました", await page.GetByTestId("comment-done").InnerTextAsync());
            Assert.Equal(0, await toDelete.CountAsync());

            // Past the rate limit (5 posts in 10 minutes, across threads: two here, three more elsewhere), the refusal is where the eye is.
            using (var api = await platform.ApiClientAsync(first))
            {
                for (var i = 0; i < CommentRules.PostsPerWindow - 2; i++)
                {
                    var posted = await api.PostJsonAsync($"/api/v1/rounds/{Round}/proposals/p-006/comments",
                        new { requestId = Guid.NewGuid().ToString("N"), text = $"案内の多言語化も {i}" });
                    Assert.Equal(System.Net.HttpStatusCode.Created, posted.StatusCode);
                }
            }

            await page.GetByTestId("comment-input").FillAsync("もう一つ意見があります。");
            await page.GetByTestId("comment-post").ClickAsync();
            Assert.Equal("rate-limited", await page.GetByTestId("comment-error").GetAttributeAsync("data-code"));
            await AssertMessageInViewAsync(page, "a post past the rate limit");

            // No comments in the voting booth.
            await page.GotoAsync(new Uri(platform.Web, $"/rounds/{Round}/vote").ToString());
            await page.Locator("h1").WaitForAsync();
            Assert.Equal(0, await page.GetByTestId("comments").CountAsync());
            Assert.DoesNotContain(marker, await page.ContentAsync(), StringComparison.Ordinal);
        }

        // Another resident at a desk, in English: reply, then report.
        await using (var desk = await BrowserSession.OpenAsync(platform, 1280, 800))
        {
            await desk.SignInAsync(platform, second);
            var page = desk.Page;
            await page.GotoAsync(proposalPage);
            await desk.SwitchLanguageAsync("en");
            var theirs = page.Locator("[data-testid=comment]", new() { HasText = marker });
            await theirs.GetByTestId("comment-reply").ClickAsync();
            await page.GetByTestId("comment-form").WaitForAsync();
            await CheckAsync(desk, "reply", "en", problems);
            await page.GetByTestId("comment-input").FillAsync("I agree: the signs at the station are hard to read.");
            await page.GetByTestId("comment-post").ClickAsync();
            await page.GetByTestId("comment-done").WaitForAsync();
            var reply = page.Locator(".comment-replies [data-testid=comment]", new() { HasText = "I agree" });
            Assert.Equal(1, await reply.CountAsync());
            await CheckAsync(desk, "thread", "en", problems);

            // Deleting asks first, in English too; going back keeps the reply.
            await reply.GetByTestId("comment-edit").ClickAsync();
            await page.GetByTestId("comment-delete").ClickAsync();
            await page.GetByTestId("comment-delete-confirm").WaitForAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Delete this comment?");
            Assert.Equal("Delete", (await page.GetByTestId("comment-delete-confirm").InnerTextAsync()).Trim());
            await page.GetByTestId("comment-delete-cancel").ClickAsync();
            await page.GetByTestId("comment-save").WaitForAsync();
            await page.GotoAsync(proposalPage);
            Assert.Equal(1, await reply.CountAsync());

            await page.Locator("[data-testid=comment]", new() { HasText = marker }).First.GetByTestId("comment-report").ClickAsync();
            await page.GetByTestId("comment-send-report").ClickAsync();
            Assert.Equal("reason-required", await page.GetByTestId("comment-error").GetAttributeAsync("data-code"));
            await CheckAsync(desk, "report", "en", problems);
            await page.GetByTestId("comment-reason").FillAsync("It names a place in a misleading way.");
            await page.GetByTestId("comment-send-report").ClickAsync();
            Assert.Contains("report was received", await page.GetByTestId("comment-done").InnerTextAsync());
        }

        // The moderator hides it with a public reason.
        await using (var moderator = await BrowserSession.OpenAsync(platform, 1280, 800))
        {
            await moderator.SignInAsync(platform, "moderator");
            var page = moderator.Page;
            await moderator.OpenMenuAsync();
            await page.GetByTestId("nav-moderation").ClickAsync();
            var row = page.Locator($"[data-testid=moderation-row][data-comment^='{Round}:{Proposal}:']").Last;

            // On a phone the queue names the proposal and the round, not their ids, and nothing wraps letter by letter.
            await page.SetViewportSizeAsync(390, 844);
            Assert.Contains("Metaverse Museum", await row.Locator("h2").InnerTextAsync());
            Assert.Contains("デジタル活用提案制度", await row.InnerTextAsync());
            Assert.DoesNotContain($"{Round}", await row.InnerTextAsync(), StringComparison.Ordinal);
            // Words of four characters or more get at least the width of a few characters (ids broken letter by letter had ~10 px).
            var narrowest = await page.EvaluateAsync<double>(@"() => Math.min(1000, ...[...document.querySelectorAll('[data-testid=moderation-row] dd, [data-testid=moderation-row] h2')]
                .filter(e => e.textContent.trim().length >= 4).map(e => e.getBoundingClientRect().width))");
            Assert.True(narrowest > 40, $"a queue text of 4 or more characters is {narrowest}px wide");
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the queue scrolls sideways on a phone");
            await CheckAsync(moderator, "queue", "ja", problems);
            await page.SetViewportSizeAsync(1280, 800);
            await row.GetByTestId("moderation-open").ClickAsync();
            Assert.Contains(marker, await page.GetByTestId("moderation-text").InnerTextAsync());
            Assert.Contains("misleading", await page.GetByTestId("moderation-reports").InnerTextAsync());
            await CheckAsync(moderator, "moderation", "ja", problems);
            await page.GetByTestId("moderation-reason").FillAsync("事実と異なる内容を含むため");
            await page.GetByTestId("moderation-hide").ClickAsync();
            await page.GetByTestId("moderation-done").WaitForAsync();
            Assert.Contains("非表示", await page.GetByTestId("moderation-status").InnerTextAsync());
        }

        // A visitor sees the reason in its place, never the words; the reply stays.
        await using (var visitor = await BrowserSession.OpenAsync(platform, 390, 844))
        {
            var page = visitor.Page;
            await page.GotoAsync(proposalPage);
            var html = await page.ContentAsync();
            Assert.DoesNotContain(marker, html, StringComparison.Ordinal);
            Assert.Contains("事実と異なる内容を含むため", await page.GetByTestId("comment-hidden").Last.InnerTextAsync());
            Assert.Contains("I agree", html, StringComparison.Ordinal);
            Assert.Equal(1, await page.GetByTestId("comment-sign-in").CountAsync());
            await CheckAsync(visitor, "public", "ja", problems);
        }

        // Its author is told in their inbox, with the public reason (never the reporter's); 「未読」 stands apart from the title.
        await using (var author = await BrowserSession.OpenAsync(platform, 390, 844))
        {
            await author.SignInAsync(platform, first);
            var page = author.Page;
            await page.GotoAsync(new Uri(platform.Web, "/inbox").ToString());
            var notice = page.GetByTestId("notice").Filter(new() { HasText = "事実と異なる内容を含むため" });
            await notice.WaitForAsync();
            var said = await notice.InnerTextAsync();
            Assert.Contains("非表示にしました", said, StringComparison.Ordinal);
            Assert.DoesNotContain("misleading", said, StringComparison.Ordinal);
            foreach (var (width, height, viewport) in PageWalk.Viewports)
            {
                await page.SetViewportSizeAsync(width, height);
                // Side by side with a gap, or the title on a line of its own below the tag: never touching.
                var apart = await notice.EvaluateAsync<string>("""
                    n => { const b = n.querySelector('[data-testid=notice-new]').getBoundingClientRect(), t = n.querySelector('[data-testid=notice-title]').getBoundingClientRect();
                           return (t.left - b.right >= 8 || t.top >= b.bottom - 1) ? 'ok' : `tag ${Math.round(b.left)}..${Math.round(b.right)}, title from ${Math.round(t.left)}`; }
                    """);
                Assert.True(apart == "ok", $"「未読」 runs into the title ({viewport}): {apart}");
            }

            await CheckAsync(author, "inbox", "ja", problems);
            await author.SwitchLanguageAsync("en");
            await notice.WaitForAsync();
            Assert.Contains("hid it", await notice.InnerTextAsync(), StringComparison.Ordinal);
            await CheckAsync(author, "inbox", "en", problems);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>
    /// After a refused post on a phone the message is where the eye is: focused, and its whole box inside the viewport (the
    /// page used to open at its top with the message far below, the form being at the foot of a proposal).
    /// </summary>
    private static async Task AssertMessageInViewAsync(IPage page, string what)
    {
        var message = page.GetByTestId("comment-error");
        await Assertions.Expect(message).ToBeFocusedAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(message).ToBeInViewportAsync(new() { Ratio = 1, Timeout = 15_000 });
        var box = await message.BoundingBoxAsync();
        var viewport = page.ViewportSize!;
        Assert.True(box is not null && box.Y >= 0 && box.Y + box.Height <= viewport.Height && box.X >= 0 && box.X + box.Width <= viewport.Width,
            $"{what}: the message's box ({box?.X}, {box?.Y}, {box?.Width} x {box?.Height}) is not inside the {viewport.Width} x {viewport.Height} viewport");
    }

    private static async Task CheckAsync(BrowserSession session, string name, string language, List<string> problems)
    {
        var page = session.Page;
        var size = page.ViewportSize!;
        await session.AssertAccessibleAsync($"comments {name} ({language})");
        problems.AddRange((await PageWalk.LanguageProblemsAsync(page, language)).Select(p => $"{name}: {p}"));
        problems.AddRange((await PageWalk.ControlBoundaryProblemsAsync(page)).Select(p => $"{name}: {p}"));
        problems.AddRange((await PageWalk.TargetSizeProblemsAsync(page)).Select(p => $"{name}: {p}"));
        foreach (var (width, height, viewport) in PageWalk.Viewports)
        {
            await page.SetViewportSizeAsync(width, height);
            await PageWalk.ScreenshotAsync(page, $"comments-{name}-{language}-{viewport}");
        }

        await page.SetViewportSizeAsync(size.Width, size.Height);
    }
}
