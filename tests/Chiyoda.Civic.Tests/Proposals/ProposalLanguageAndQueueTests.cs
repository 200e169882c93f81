using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Infrastructure;
using static Chiyoda.Civic.Tests.Proposals.ProposalApiSamples;

namespace Chiyoda.Civic.Tests.Proposals;

/// <summary>Issue 14's server side: the staff queue never lists drafts, and proposals keep an optional English title and summary.</summary>
[Collection(PlatformCollection.Name)]
public sealed class ProposalLanguageAndQueueTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_screening_queue_lists_submitted_proposals_and_counts_them_but_never_a_draft()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await OpenRoundAsync(admin);
        using var resident = await platform.ApiClientAsync("resident-45");
        var draft = await HttpAssertions.JsonAsync(await resident.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", Body("まだ下書き", submit: false)), 201);
        var sent = await HttpAssertions.JsonAsync(await resident.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", Body("応募済み")), 201);

        using var screener = await platform.ApiClientAsync("screener");
        var queue = await HttpAssertions.JsonAsync(await screener.GetAsync($"/api/v1/rounds/{roundId}/screening/queue"), 200);
        var ids = queue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("proposalId").GetString()).ToList();
        Assert.Equal([sent.GetProperty("proposalId").GetString()], ids);
        Assert.DoesNotContain(draft.GetProperty("proposalId").GetString(), ids);
        Assert.Equal(1, queue.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_proposal_keeps_its_optional_english_title_and_summary_and_lists_show_the_title()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await OpenRoundAsync(admin);
        using var resident = await platform.ApiClientAsync("resident-45");
        var body = new
        {
            title = "区の手続きのオンライン化",
            titleEn = "  Ward procedures online  ",
            summary = "区の手続きをオンラインで完結させます。",
            summaryEn = "Finish ward procedures online.",
            problem = "窓口に何度も足を運ぶ必要がある。",
            solution = "オンライン申請と進み具合の通知。",
            expectedEffect = "来庁の回数が減る。",
            category = "administration",
            relation = "lives",
            submit = true,
        };
        var created = await HttpAssertions.JsonAsync(await resident.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", body), 201);
        var content = created.GetProperty("content");
        Assert.Equal("Ward procedures online", content.GetProperty("titleEn").GetString());
        Assert.Equal("Finish ward procedures online.", content.GetProperty("summaryEn").GetString());

        using var screener = await platform.ApiClientAsync("screener");
        var queue = await HttpAssertions.JsonAsync(await screener.GetAsync($"/api/v1/rounds/{roundId}/screening/queue"), 200);
        Assert.Equal("Ward procedures online", queue.GetProperty("items")[0].GetProperty("titleEn").GetString());

        var refused = await resident.PostAsJsonAsync($"/api/v1/rounds/{roundId}/proposals", new
        {
            title = "英語が長すぎる提案",
            titleEn = new string('a', 101),
            category = "administration",
            relation = "lives",
            submit = false,
        });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("titleEn", await refused.Content.ReadAsStringAsync());
    }
}
