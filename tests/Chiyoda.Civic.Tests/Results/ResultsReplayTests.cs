using System.Security.Cryptography;
using System.Text;
using Chiyoda.Civic.Replay;
using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>Acceptance: the ward's 2024 round replayed end to end through the API on the running platform.</summary>
[Collection(PlatformCollection.Name)]
public sealed class ResultsReplayTests(PlatformFixture platform, ITestOutputHelper output)
{
    [Fact]
    public async Task The_2024_round_replayed_publishes_the_wards_table()
    {
        var log = new StringWriter();
        var outcome = await new Replay2024(platform.Web, platform.IdentityProvider, log).RunAsync();
        output.WriteLine(log.ToString());

        Assert.Empty(outcome.Problems());
        Assert.Equal([373, 290, 280, 215, 192, 184, 135],
            outcome.Results.GetProperty("proposals").EnumerateArray().Select(p => p.GetProperty("votes").GetInt32()));
        Assert.Equal(665, outcome.PublishedVoters);
        Assert.Equal(1669, outcome.PublishedVotes);
        Assert.Equal([1, 2], outcome.PublishedAdopted);
        Assert.Equal(1, outcome.Results.GetProperty("totals").GetProperty("invalidPaperBallots").GetInt32());
        Assert.Equal(1, outcome.Results.GetProperty("totals").GetProperty("duplicatePaperBallots").GetInt32());
        Assert.Equal(665 + 120 + 1, outcome.Results.GetProperty("totals").GetProperty("registered").GetInt32());

        // ballots.csv: one row per counted ballot, and nothing that names or links back to a voter.
        var rows = outcome.BallotsCsv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ballot_id,channel,choices", rows[0]);
        Assert.Equal(665, rows.Length - 1);
        Assert.DoesNotContain(rows, r => r.Contains("v0") || r.Contains("クミン") || r.Contains("102-8688") || System.Text.RegularExpressions.Regex.IsMatch(r, @"\d{4}-\d{2}-\d{2}"));
        Assert.Equal(665, rows.Skip(1).Select(r => r.Split(',')[0]).Distinct().Count());

        // Every listed download's digest is the SHA-256 of the bytes the API serves (a CSV's BOM included), whose text the replay read.
        var files = new Dictionary<string, string> { ["results.csv"] = outcome.ResultsCsv, ["ballots.csv"] = outcome.BallotsCsv, ["ballots.pb"] = outcome.Pabulib };
        using var anonymous = await platform.ApiClientAsync();
        foreach (var download in outcome.Results.GetProperty("downloads").EnumerateArray())
        {
            var name = download.GetProperty("name").GetString()!;
            var served = await anonymous.GetByteArrayAsync(download.GetProperty("href").GetString());
            Assert.Equal(Convert.ToHexString(SHA256.HashData(served)).ToLowerInvariant(), download.GetProperty("sha256").GetString());
            Assert.Equal(files[name], new UTF8Encoding(false).GetString(served).TrimStart('\uFEFF'));
        }

        // PABULIB: the three sections, 7 projects and 665 votes.
        var pb = outcome.Pabulib.Split("\r\n");
        Assert.Equal("META", pb[0]);
        var projects = Array.IndexOf(pb, "PROJECTS");
        var votes = Array.IndexOf(pb, "VOTES");
        Assert.Equal(7, votes - projects - 2);
        Assert.Equal(665, pb.Length - votes - 2 - 1);
        Assert.Contains("num_votes;665", pb);
    }
}
