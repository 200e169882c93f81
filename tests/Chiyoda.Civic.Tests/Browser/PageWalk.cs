using System.Text.Json;
using Microsoft.Playwright;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// The checks every page gets at every size, beyond axe: what axe cannot see. Each returns the problems it
/// found as sentences, so one failing walk lists all of them at once.
/// </summary>
public static class PageWalk
{
    public static readonly (int Width, int Height, string Name)[] Viewports = [(1280, 800, "desktop"), (390, 844, "phone")];

    public static string ScreenshotDirectory { get; } = Path.Combine(Infrastructure.Repository.Root, "artifacts", "screenshots");

    /// <summary>
    /// Every header link and button is inside the viewport's width and visible, after opening the menu if there is one.
    /// One script reads every target's box: a round trip per link made this check a fifth of the walk's time.
    /// </summary>
    public static async Task<List<string>> HeaderProblemsAsync(IPage page)
    {
        var button = page.GetByTestId("menu-button");
        var menuOpened = false;
        if (await button.IsVisibleAsync())
        {
            await button.ClickAsync();
            menuOpened = true;
        }

        var found = await page.EvaluateAsync<string[]>("""
            width => [...document.querySelectorAll('.site-header a, .site-header button')].map(e => {
              const name = (e.innerText || e.getAttribute('aria-label') || '').trim();
              const r = e.getBoundingClientRect();
              if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') return `header link '${name}' is not visible`;
              if (r.left < 0 || r.right > width + 0.5) return `header link '${name}' is outside the viewport's width (${Math.round(r.left)}..${Math.round(r.right)} of ${width})`;
              return null;
            }).filter(p => p)
            """, page.ViewportSize!.Width);
        if (menuOpened)
        {
            await button.ClickAsync();
        }

        return [.. found.Select(p => menuOpened && p.EndsWith("not visible", StringComparison.Ordinal) ? p + " with the menu open" : p)];
    }

    /// <summary>No horizontal scrolling at 320 CSS px (WCAG 1.4.10 reflow).</summary>
    public static async Task<List<string>> ReflowProblemsAsync(IPage page, int restoreWidth, int restoreHeight)
    {
        await page.SetViewportSizeAsync(320, 640);
        var overflow = await page.EvaluateAsync<JsonElement>("""
            () => {
              const width = document.documentElement.clientWidth;
              const wide = [...document.querySelectorAll('body *')]
                .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1 && !e.closest('.table-scroll, .mud-table-container, .keying-scroll'); })
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right));
              return { scroll: document.documentElement.scrollWidth, width, wide };
            }
            """);
        await page.SetViewportSizeAsync(restoreWidth, restoreHeight);
        var scroll = overflow.GetProperty("scroll").GetInt32();
        return scroll > 320
            ? [$"scrolls horizontally at 320 px (content {scroll} px wide): {string.Join(", ", overflow.GetProperty("wide").EnumerateArray().Select(e => e.GetString()))}"]
            : [];
    }

    private const string ContrastScript = """
        const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,\/]+/).filter(x => x).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
        const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
        const contrast = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
        const backgroundOf = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
        const colourOf = el => parse(getComputedStyle(el).color);
        """;

    /// <summary>Every visible text field, select and text area has a boundary of at least 3:1 against what is around it (WCAG 1.4.11).</summary>
    public static async Task<List<string>> ControlBoundaryProblemsAsync(IPage page)
    {
        var found = await page.EvaluateAsync<string[]>("() => {" + ContrastScript + """
              const problems = [];
              const controls = [...document.querySelectorAll('input, select, textarea')]
                .filter(e => !['hidden', 'checkbox', 'radio', 'submit', 'button'].includes(e.type) && !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
              for (const el of controls) {
                const name = el.id || el.name || el.tagName.toLowerCase();
                const mud = el.closest('.mud-input-control');
                let colour = null, width = 0, around;
                if (mud) {
                  around = backgroundOf(mud.parentElement || mud);
                  const outline = mud.querySelector('.mud-input-outlined-border');
                  if (outline) { const s = getComputedStyle(outline); colour = parse(s.borderTopColor); width = parseFloat(s.borderTopWidth); }
                  else { const u = mud.querySelector('.mud-input-underline') || mud.querySelector('.mud-input'); const s = getComputedStyle(u, '::before'); colour = parse(s.borderBottomColor); width = parseFloat(s.borderBottomWidth); }
                } else {
                  around = backgroundOf(el.parentElement);
                  const s = getComputedStyle(el);
                  colour = parse(s.borderTopColor); width = Math.min(parseFloat(s.borderTopWidth), parseFloat(s.borderBottomWidth));
                  if (width === 0) { colour = parse(s.backgroundColor); width = colour && colour.a > 0.5 ? 1 : 0; }
                }
                if (!colour || width < 1) { problems.push(`${name}: no visible boundary`); continue; }
                const blended = { r: colour.r * colour.a + around.r * (1 - colour.a), g: colour.g * colour.a + around.g * (1 - colour.a), b: colour.b * colour.a + around.b * (1 - colour.a) };
                const ratio = contrast(blended, around);
                if (ratio < 3) problems.push(`${name}: boundary contrast ${ratio.toFixed(2)}:1`);
              }
              return problems;
            }
            """);
        return [.. found.Select(p => "form control " + p)];
    }

    /// <summary>Targets of at least 24×24 CSS px (WCAG 2.5.8), leaving out links inside running text (the inline exception).</summary>
    public static async Task<List<string>> TargetSizeProblemsAsync(IPage page)
    {
        var found = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab], [role=checkbox]')]
              .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' && !e.closest('.skip-link'))
              .filter(e => !(e.tagName === 'A' && getComputedStyle(e).display === 'inline'))
              .filter(e => !e.closest('[aria-hidden=true]'))
              .map(e => ({ e, r: e.getBoundingClientRect() }))
              .filter(x => x.r.width < 23.5 || x.r.height < 23.5)
              .slice(0, 8)
              .map(x => `${x.e.tagName.toLowerCase()}${x.e.id ? '#' + x.e.id : ''} '${(x.e.innerText || x.e.value || x.e.getAttribute('aria-label') || '').trim().slice(0, 30)}' ${Math.round(x.r.width)}x${Math.round(x.r.height)}`)
            """);
        return [.. found.Select(p => "target smaller than 24x24: " + p)];
    }

    /// <summary>
    /// English pages carry no Japanese punctuation outside text marked lang="ja", and Japanese pages no
    /// untranslated component text (MudBlazor's pager, "Rows per page").
    /// </summary>
    public static async Task<List<string>> LanguageProblemsAsync(IPage page, string language)
    {
        var found = await page.EvaluateAsync<string[]>("""
            language => {
              const problems = [];
              const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
              for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const el = n.parentElement;
                if (!el || el.closest('script, style, [aria-hidden=true], .site-header a[hreflang]')) continue;
                if (el.getClientRects().length === 0) continue;
                const lang = (el.closest('[lang]')?.getAttribute('lang') || '').slice(0, 2);
                const text = n.textContent.trim();
                if (!text) continue;
                if (language === 'en' && lang === 'en' && /[、。：「」（）！？　]|[\u3040-\u30ff\u4e00-\u9fff]/.test(text)) problems.push(`Japanese in English text: "${text.slice(0, 50)}"`);
                if (language === 'ja' && lang === 'ja' && /\b\d+-\d+ of \d+\b|Rows per page|Loading|No records/i.test(text)) problems.push(`English on a Japanese page: "${text.slice(0, 50)}"`);
                if (/\{[a-z_0-9]+\}/i.test(text)) problems.push(`an unfilled {hole} in: "${text.slice(0, 50)}"`);
              }
              return [...new Set(problems)].slice(0, 8);
            }
            """, language);
        return [.. found];
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }
}
