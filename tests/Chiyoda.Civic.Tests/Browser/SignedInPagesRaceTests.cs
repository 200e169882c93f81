using System.Collections.Concurrent;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Browser;

/// <summary>
/// The pages people sign in for render whole whatever order their grain calls complete in, as the public pages do
/// (<see cref="PublicPages.PublicPagesTests"/>): the platform under test delays or completes at once, at random, every call
/// its pages make to a round whose id starts with <c>jitter-</c>, and each page is asked for many times at once through
/// the signed-in browser's own cookies. A page that renders between two awaits with half its fields set fails its
/// prerender with a 500 (as the vote page once did, seen by chance in a page walk), or shows the wrong state.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(PlatformCollection.Name)]
public sealed class SignedInPagesRaceTests(PlatformFixture platform)
{
    private const string RoundName = "描画順の試験";
    private const int RequestsPerPage = 8;

    [Fact]
    public async Task Signed_in_pages_render_whole_whatever_order_their_grain_calls_complete_in()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await PlatformVoting.ShortlistedRoundAsync(admin, "jitter-" + Guid.NewGuid().ToString("N")[..10], RoundName, "Render order test");
        var voterKey = "jr" + Guid.NewGuid().ToString("N")[..10];
        await PlatformVoting.LoadRegisterAsync(admin, roundId, $"voter_key,name_kana,birthdate,postcode\n{PlatformVoting.Adult(voterKey)}\n");

        var pages = new (string Account, string Path, string[] Expected, string[] Unexpected)[]
        {
            ("voter:" + voterKey, $"/rounds/{roundId}/vote", [RoundName, "data-testid=\"continue\""], ["data-testid=\"vote-refused\""]),
            ("voter:" + voterKey, $"/rounds/{roundId}/ballot", [RoundName, "data-testid=\"no-ballot\""], []),
            ("voter:" + voterKey, $"/rounds/{roundId}/reminders", [RoundName, "data-testid=\"reminder-events\""], []),
            ("admin", $"/admin/rounds/{roundId}/edit", ["data-testid=\"save-round\"", "data-testid=\"rules-locked\""], []),
            ("admin", $"/admin/rounds/{roundId}/register", [RoundName, "data-testid=\"register-file\""], ["data-testid=\"register-final\""]),
            ("admin", $"/admin/rounds/{roundId}/counting", [RoundName], []),
            ("admin", $"/admin/rounds/{roundId}/facilities", [RoundName, "data-testid=\"facilities-page\""], []),
            ("admin", $"/admin/screening/{roundId}/assignments", [RoundName, "data-testid=\"assignments-page\""], []),
            ("admin", $"/admin/screening/{roundId}/shortlist", [RoundName, "data-testid=\"shortlist-frozen\""], []),
            ("admin", $"/admin/audit?round={roundId}", ["data-testid=\"audit-count\""], []),
            ("clerk", $"/paper/{roundId}", [RoundName, "data-testid=\"paper-batches-page\""], []),
            ("clerk", $"/kiosk/open/{roundId}", [RoundName], []),
            ("screener", $"/screening/{roundId}", [RoundName, "data-testid=\"screening-queue\""], []),
            ("screener", $"/screening/{roundId}/p-001", ["提案 1"], []),
            ("screener", $"/screening/{roundId}/paper/new", [RoundName], []),
        };

        var failures = new ConcurrentBag<string>();
        foreach (var account in pages.Select(p => p.Account).Distinct())
        {
            await using var session = await BrowserSession.OpenAsync(platform);
            await session.SignInAsync(platform, account);
            // The browser context's request client carries its sign-in cookie: the pages render as for that person.
            var requests = session.Page.Context.APIRequest;
            foreach (var (_, path, expected, unexpected) in pages.Where(p => p.Account == account))
            {
                await Task.WhenAll(Enumerable.Range(0, RequestsPerPage).Select(async n =>
                {
                    var response = await requests.GetAsync(new Uri(platform.Web, $"{path}{(path.Contains('?') ? '&' : '?')}race={n}").ToString());
                    var body = await response.TextAsync();
                    if (response.Status != 200)
                    {
                        failures.Add($"{path}: {response.Status} {body[..Math.Min(body.Length, 300)]}");
                    }
                    else if (expected.FirstOrDefault(e => !body.Contains(e, StringComparison.Ordinal)) is { } missing)
                    {
                        failures.Add($"{path}: rendered without {missing}");
                    }
                    else if (unexpected.FirstOrDefault(u => body.Contains(u, StringComparison.Ordinal)) is { } wrong)
                    {
                        failures.Add($"{path}: rendered {wrong}");
                    }
                }));
            }
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} of {pages.Length * RequestsPerPage} renders failed:\n" + string.Join("\n", failures.Take(15)));
    }
}
