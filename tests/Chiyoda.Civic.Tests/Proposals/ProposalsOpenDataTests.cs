using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Proposals;

/// <summary>
/// A round's proposals as open data (proposals.json, proposals.csv): published proposals only, nothing of their
/// proposers' identity, the CSV for people (BOM, csv-parse), and the download HTTP (ETag, 304, HEAD, Repr-Digest).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ProposalsOpenDataTests(PlatformFixture platform)
{
    [Fact]
    public async Task Only_published_proposals_are_open_data_without_their_proposers()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var anonymous = await platform.ApiClientAsync();

        // A draft and a proposal awaiting its intake check are not published: neither is open data.
        var openRound = await ProposalApiSamples.OpenRoundAsync(admin);
        using (var proposer = await platform.ApiClientAsync($"voter:{openRound}-proposer-1"))
        {
            await ProposalApiSamples.CreateAsync(proposer, openRound, "下書きの提案", submit: false);
            await ProposalApiSamples.CreateAsync(proposer, openRound, "受付前の提案");
        }

        var none = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{openRound}/proposals.json"), 200);
        Assert.Equal(0, none.GetProperty("count").GetInt32());
        Assert.Empty(none.GetProperty("proposals").EnumerateArray());
        var noneCsv = await CsvCheck.ParseAsync(await anonymous.GetByteArrayAsync($"/api/v1/rounds/{openRound}/proposals.csv"));
        Assert.Single(noneCsv.Records);

        // A round whose 7 proposals were screened onto the ballot: all 7, as the public list shows them.
        var roundId = await PlatformVoting.CreateRoundAsync(admin);
        var r = $"/api/v1/rounds/{roundId}";
        using var response = await anonymous.GetAsync($"{r}/proposals.json");
        var text = await response.Content.ReadAsStringAsync();
        var json = await HttpAssertions.JsonAsync(response, 200);
        var proposals = json.GetProperty("proposals").EnumerateArray().ToList();
        var list = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"{r}/proposals?take=100"), 200);
        Assert.Equal(list.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("proposalId").GetString()).Order(),
            proposals.Select(p => p.GetProperty("proposalId").GetString()).Order());
        Assert.Equal(7, proposals.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], proposals.Select(p => p.GetProperty("ballotNumber").GetInt32()));
        Assert.All(proposals, p => Assert.Equal("shortlisted", p.GetProperty("status").GetString()));
        Assert.All(proposals, p => Assert.False(string.IsNullOrEmpty(p.GetProperty("summary").GetString())));
        // Nothing names a proposer: no author fields, not their accounts (voter:{round}-proposer-n).
        Assert.All(proposals, p => Assert.DoesNotContain(p.EnumerateObject(), f => f.Name.StartsWith("author", StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain("-proposer-", text, StringComparison.Ordinal);

        // The CSV: for people (BOM), read by csv-parse, the same proposals in the same order.
        using var csvResponse = await anonymous.GetAsync($"{r}/proposals.csv");
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var bytes = await csvResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.DoesNotContain("-proposer-", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        var csv = await CsvCheck.ParseAsync(bytes);
        Assert.Equal("proposal_id", csv.Records[0][0]);
        Assert.Equal(proposals.Select(p => p.GetProperty("proposalId").GetString()), csv.Records.Skip(1).Select(c => c[0]));
        Assert.Equal(proposals.Select(p => p.GetProperty("title").GetString()), csv.Records.Skip(1).Select(c => c[csv.Records[0].ToList().IndexOf("title")]));

        // Download HTTP: Repr-Digest of the bytes, a strong ETag that revalidates, HEAD.
        foreach (var (path, content) in new[] { ($"{r}/proposals.json", System.Text.Encoding.UTF8.GetBytes(text)), ($"{r}/proposals.csv", bytes) })
        {
            using var get = await anonymous.GetAsync(path);
            Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(content))}:", Assert.Single(get.Headers.GetValues("Repr-Digest")));
            Assert.False(get.Headers.ETag!.IsWeak);
            using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
            conditional.Headers.TryAddWithoutValidation("If-None-Match", get.Headers.ETag.Tag);
            Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(conditional)).StatusCode);
            using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        }

        await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/rounds/no-such-round/proposals.json"), 404, "round-not-found");
        await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/rounds/no-such-round/proposals.csv"), 404, "round-not-found");
    }
}
