using Chiyoda.Civic.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>One person's browser tab: a fresh context (no cookies), in a given viewport.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>A navigation: through the provider's redirects, or to a page not yet rendered since start-up; on a loaded CI machine, more than 15 s.</summary>
    private const float NavigationTimeout = 45_000;

    /// <summary>
    /// How long an action or a wait may take. Well under a second on a quiet machine; the project's CI has run at half this
    /// machine's speed, and a longer wait costs nothing when the page comes.
    /// </summary>
    private static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
    private static readonly Lazy<string> AxeSource = new(() => new BundledAxeScriptProvider().GetScript());
    private readonly IBrowserContext _context;

    private BrowserSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    public static async Task<BrowserSession> OpenAsync(PlatformFixture platform, int width = 1280, int height = 900)
    {
        var browser = await platform.BrowserAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "ja-JP",
            TimezoneId = "Asia/Tokyo",
        });
        context.SetDefaultTimeout((float)ActionTimeout.TotalMilliseconds);
        Assertions.SetDefaultExpectTimeout((float)ActionTimeout.TotalMilliseconds); // Expect's own default is 5 s
        return new BrowserSession(context, await context.NewPageAsync());
    }

    /// <summary>Signs in through the provider's own page, as a person would, and returns to the platform.</summary>
    public async Task SignInAsync(PlatformFixture platform, string account)
    {
        await Page.GotoAsync(platform.Web.ToString());
        await OpenMenuAsync();
        await Page.GetByTestId("sign-in").ClickAsync();
        await WaitForProviderFormAsync(Page, platform);
        await Page.Locator("#username").FillAsync(account);
        await Page.Locator("#password").FillAsync(PlatformFixture.DevelopmentPassword);
        await Page.Locator("#sign-in").ClickAsync();
        await Page.GetByTestId("signed-in-as").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = NavigationTimeout });
        Assert.StartsWith(platform.Web.ToString(), Page.Url, StringComparison.Ordinal);
    }

    /// <summary>
    /// Waits for the provider's sign-in form (only the provider's page has it) and checks the address is the provider's.
    /// </summary>
    /// <remarks>Not <c>WaitForURLAsync</c> (see <see cref="WaitForAddressAsync"/>): the form itself is what a person waits for.</remarks>
    public static async Task WaitForProviderFormAsync(IPage page, PlatformFixture platform)
    {
        await page.Locator("#username").WaitForAsync(new() { Timeout = NavigationTimeout });
        Assert.StartsWith(platform.IdentityProvider.ToString(), page.Url, StringComparison.Ordinal);
    }

    /// <summary>On a phone the header's links are behind the menu button: opens it (nothing to do on a wide screen).</summary>
    public async Task OpenMenuAsync()
    {
        var button = Page.GetByTestId("menu-button");
        if (await button.IsVisibleAsync() && await Page.Locator(".site-menu[open]").CountAsync() == 0)
        {
            await button.ClickAsync();
        }
    }

    /// <summary>Switches the language with the header's link, as a person would, and waits for the page in it.</summary>
    public async Task SwitchLanguageAsync(string language)
    {
        await OpenMenuAsync();
        await Page.GetByTestId("language-switch").ClickAsync();
        await WaitUntilAsync($"document.documentElement.lang === '{language}'");
    }

    /// <summary>Runs axe with the WCAG 2.2 AA rule set and fails with every violation listed.</summary>
    /// <remarks>
    /// axe runs inside the page itself (<c>axe.run</c>), put there once per document. Deque's <c>RunAxe</c> runs it in parts
    /// for frames this platform's pages never have, carries every rule's result on every node (passes included) to .NET and
    /// back, and finishes each run in a new browser context loaded with axe's 500 KB again: in a timed suite that was most of
    /// the browser's CPU. Same rules, same violations; only their summaries leave the page.
    /// </remarks>
    public async Task AssertAccessibleAsync(string what)
    {
        if (!await Page.EvaluateAsync<bool>("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"))
        {
            await Page.EvaluateAsync(AxeSource.Value);
        }

        var violations = await Page.EvaluateAsync<string[]>("""
            async tags => {
              // axe reads the colours of this moment: a button just enabled is still fading from its disabled grey for
              // 250 ms (MudBlazor's transition), and mid-fade its white label fails contrast. Let finite transitions end first.
              const settling = document.getAnimations().filter(a => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
              await Promise.race([Promise.allSettled(settling.map(a => a.finished)), new Promise(r => setTimeout(r, 2000))]);
              const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
              return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
            }
            """, WcagTags);
        Assert.True(violations.Length == 0, $"axe found WCAG 2.2 AA violations on {what} ({Page.Url}):\n" + string.Join("\n", violations));
    }

    /// <summary>
    /// Whether a page or state passed in <paramref name="language"/> gets axe: in Japanese, the default, always. The English
    /// run passes through the same states with the same components and markup, so axe would find there what it found in
    /// Japanese; the checks that depend on the words (one language, header, reflow, target sizes) still run in English, and
    /// the every-page walk runs axe on each English account's first page at both sizes.
    /// </summary>
    public static bool AxeRunsIn(string language) => language == "ja";

    /// <summary>axe for a journey that runs once per language: on the run <see cref="AxeRunsIn"/> names.</summary>
    public Task AssertAccessibleOnTheJapaneseRunAsync(string what, string language) =>
        AxeRunsIn(language) ? AssertAccessibleAsync($"{what} ({language})") : Task.CompletedTask;

    /// <summary>
    /// Waits for a navigation; when it does not come, fails with what the page shows instead (its messages, whether the
    /// circuit dropped) and the web process's last lines, so a failure on CI says why rather than only "timeout".
    /// </summary>
    public async Task WaitForUrlOrExplainAsync(PlatformFixture platform, Func<string, bool> arrived, string what)
    {
        try
        {
            await WaitForAddressAsync(Page, arrived);
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"No navigation to {what} within {NavigationTimeout / 1000} s; still at {Page.Url}.\n{await ExplainAsync(platform, "[role=alert], [data-testid$=errors]")}", timeout);
        }
    }

    /// <summary>
    /// Waits until the tab's address satisfies <paramref name="arrived"/>; what the page then shows is waited for by its elements.
    /// </summary>
    /// <remarks>
    /// Not Playwright's <c>WaitForURLAsync</c>: after the address it also waits, in the client, for the document's <c>load</c>
    /// state, and on a loaded machine that wait timed out with the page already there, loaded and right: twice on the
    /// project's CI after the provider's sign-in redirect (only <c>networkidle</c> reported for a page with no subresources),
    /// and here, with four browser tests at once, after a Blazor navigation to a draft's own address. The address is
    /// reported to the client with every navigation, same-document or not, so it is all a test needs to watch.
    /// </remarks>
    public static async Task WaitForAddressAsync(IPage page, Func<string, bool> arrived, float timeout = NavigationTimeout)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(timeout);
        while (!arrived(page.Url))
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The address expected did not come within {timeout / 1000} s; still at {page.Url}.");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>
    /// Waits until a JavaScript condition holds on the page (<see cref="ActionTimeout"/>). Not Playwright's WaitForFunction: that polls inside the
    /// page with eval, which the platform's Content Security Policy (script-src 'self') refuses whenever the condition is
    /// not already true at the first look; an evaluation from outside (DevTools protocol) is not subject to it.
    /// </summary>
    public async Task WaitUntilAsync(string condition)
    {
        var deadline = DateTime.UtcNow + ActionTimeout;
        while (true)
        {
            try
            {
                if (await Page.EvaluateAsync<bool>($"() => !!({condition})"))
                {
                    return;
                }
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline)
            {
                // A navigation replaced the document mid-evaluation: look again.
            }

            if (DateTime.UtcNow >= deadline)
            {
                var focused = await Page.EvaluateAsync<string>(
                    "() => { const e = document.activeElement; const a = document.querySelector('[data-autofocus]'); return (e ? e.outerHTML.slice(0, 300) : 'nothing') + '\\nThe first [data-autofocus]: ' + (a ? a.outerHTML.slice(0, 300) : 'none'); }");
                throw new TimeoutException($"Not true within {ActionTimeout.TotalSeconds} s at {Page.Url}: {condition}\nThe focus is on: {focused}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits (<see cref="NavigationTimeout"/>, for a cold page on a loaded machine) for what a page must show; when it does not come, fails with
    /// where the browser is, the page's heading and messages, and the web process's last lines.
    /// </summary>
    public async Task WaitForOrExplainAsync(PlatformFixture platform, ILocator locator, string what)
    {
        try
        {
            await locator.WaitForAsync(new() { Timeout = NavigationTimeout });
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{what} not shown within {NavigationTimeout / 1000} s at {Page.Url}.\n{await ExplainAsync(platform, "h1, [role=alert], [data-testid$=errors], [data-testid=vote-refused]")}", timeout);
        }
    }

    /// <summary>What the page shows (the elements the selector names, and whether the circuit dropped) and the web process's last 60 lines.</summary>
    private async Task<string> ExplainAsync(PlatformFixture platform, string selector)
    {
        var shown = await Page.EvaluateAsync<string>(
            "selector => [...document.querySelectorAll(selector + ', #components-reconnect-modal, #blazor-error-ui')].filter(e => e.checkVisibility()).map(e => (e.id || e.tagName) + ': ' + e.innerText.trim()).join('\\n')", selector);
        var log = platform.WebProcess.RecentOutput.Split(Environment.NewLine).TakeLast(60);
        return $"The page shows:\n{shown}\nThe web process last wrote:\n{string.Join(Environment.NewLine, log)}";
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
