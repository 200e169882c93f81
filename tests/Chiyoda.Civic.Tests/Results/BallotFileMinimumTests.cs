using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>
/// The anonymised per-ballot files (ballots.csv, ballots.pb) are published only from <c>OpenData:MinimumBallotsForBallotFile</c>
/// counted ballots: below it they answer 409 <c>ballot-file-withheld</c>, results.json does not list them and the results
/// page says why; at it they are served. A web process of its own with the minimum at 3 (the shared one has it off).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class BallotFileMinimumTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_round_under_the_minimum_publishes_its_totals_but_not_its_ballots_and_one_at_the_minimum_publishes_both()
    {
        var web = new Uri($"http://localhost:{platform.SpareWebPort}/");
        var process = await platform.StartWebAsync(platform.SpareWebPort, "civic-ballot-minimum-" + Guid.NewGuid().ToString("N")[..8],
            "--OpenData:MinimumBallotsForBallotFile=3", $"--Site:Url={web}");
        try
        {
            using var admin = await platform.ApiClientAsync("admin", web);
            using var anonymous = await platform.ApiClientAsync(null, web);

            async Task<string> PublishedRoundAsync(int voters)
            {
                var keys = Enumerable.Range(0, voters).Select(n => $"m{n}{Guid.NewGuid():N}"[..12]).ToArray();
                var roundId = await PaperApi.RoundAsync(admin, keys);
                foreach (var key in keys)
                {
                    using var voter = await platform.ApiClientAsync("voter:" + key, web);
                    await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), 1, 2)), 200);
                }

                await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "テスト: 早期締切" }), 200);
                await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
                await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);
                return roundId;
            }

            // Two ballots, one under the minimum: the totals are out, the ballots are not, and everyone is told why.
            var small = await PublishedRoundAsync(2);
            foreach (var file in new[] { "ballots.csv", "ballots.pb" })
            {
                var refused = await HttpAssertions.ProblemAsync(await anonymous.GetAsync($"/api/v1/rounds/{small}/{file}"), 409, "ballot-file-withheld");
                Assert.Contains("fewer than 3", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
                // Not even an administrator's preview has them.
                await HttpAssertions.ProblemAsync(await admin.GetAsync($"/api/v1/rounds/{small}/{file}"), 409, "ballot-file-withheld");
            }

            Assert.True((await anonymous.GetAsync($"/api/v1/rounds/{small}/results.csv")).IsSuccessStatusCode);
            var results = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{small}/results"), 200);
            Assert.Equal(2, results.GetProperty("totals").GetProperty("voters").GetInt32());
            Assert.Equal(["results.csv"], results.GetProperty("downloads").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
            var page = await anonymous.GetStringAsync($"/rounds/{small}/results");
            Assert.Contains("data-testid=\"ballot-files-withheld\"", page, StringComparison.Ordinal);
            Assert.Contains("3票以上の回だけ公開", page, StringComparison.Ordinal);
            Assert.DoesNotContain($"/api/v1/rounds/{small}/ballots.csv", page, StringComparison.Ordinal);

            // Three ballots, the minimum: both files are served and listed with their digests.
            var enough = await PublishedRoundAsync(3);
            var csv = await anonymous.GetAsync($"/api/v1/rounds/{enough}/ballots.csv");
            Assert.True(csv.IsSuccessStatusCode, $"{(int)csv.StatusCode}");
            Assert.Equal(4, (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.True((await anonymous.GetAsync($"/api/v1/rounds/{enough}/ballots.pb")).IsSuccessStatusCode);
            var listed = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{enough}/results"), 200);
            Assert.Equal(["ballots.csv", "ballots.pb", "results.csv"], listed.GetProperty("downloads").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).Order());
            Assert.DoesNotContain("ballot-files-withheld", await anonymous.GetStringAsync($"/rounds/{enough}/results"), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill();
            await process.DisposeAsync();
        }
    }
}
