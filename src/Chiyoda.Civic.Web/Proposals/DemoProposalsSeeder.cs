using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Hosting;

namespace Chiyoda.Civic.Web.Proposals;

/// <summary>
/// In development (Demo:Enabled), after the demo round exists: its proposals, so the public list and
/// the staff screens have something to show. The 7 shortlisted ones carry the round's shortlist
/// (p-001..p-007, ballot numbers 1..7); 5 more were declined or withdrawn on the way. The round is
/// already voting, which the status machine does not allow proposals into, so each is written in its
/// end state through the seeding-only <see cref="IProposalDemoSeedingGrain"/>. Runs on every start:
/// an existing proposal is left as it is.
/// </summary>
internal sealed class DemoProposalsSeeder(IGrainFactory grains, ILogger<DemoProposalsSeeder> logger) : IHostedService
{
    private const string Problem = "手続きや情報が紙と窓口に頼っていて、区民も職員も手間がかかっています。";
    private const string Effect = "区民の手間と区の費用が減り、必要な人に情報が届きやすくなります。";

    private static readonly string[] ShortlistCategories =
        ["administration", "children-education", "children-education", "administration", "community-tourism", "administration", "community-tourism"];

    private static readonly (string Id, string Title, string Summary, string Category, ProposalStatus Status, int Stage, string Reason)[] Others =
    [
        ("p-008", "防災情報の多言語チャットボット", "災害時の情報を多言語のチャットで案内します。", "safety-disaster", ProposalStatus.Declined, 3,
            "区の防災アプリで多言語対応を進めており、内容が重なるため。"),
        ("p-009", "区立図書館の電子書籍貸出の拡充", "電子書籍の貸出を増やします。", "children-education", ProposalStatus.Declined, 2,
            "既存事業として予算化済みのため。"),
        ("p-010", "公園の混雑状況をセンサーで公開", "公園の混み具合をセンサーで測り公開します。", "environment", ProposalStatus.Declined, 3,
            "費用に比べて区民への効果が小さいと判断したため。"),
        ("p-011", "町会の回覧板をデジタル化", "町会の回覧板をアプリで配信します。", "community-tourism", ProposalStatus.Withdrawn, 2,
            "町会で独自に進めることになったため。"),
        ("p-012", "高齢者向けスマートフォン講座のオンライン予約", "講座の予約をオンラインでできるようにします。", "health-welfare", ProposalStatus.Withdrawn, 2,
            "別の提案にまとめるため。"),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var roundId = DemoRoundExtensions.DemoRoundId;
        var round = await grains.GetGrain<IRoundGrain>(roundId).GetAsync();
        if (round is null)
        {
            logger.LogWarning("Demo proposals: the demo round {RoundId} does not exist; nothing seeded", roundId);
            return;
        }

        var submitted = round.Definition.Schedule.CallOpens.AddDays(10);
        var seeds = new List<(string Id, DemoProposalSeed Seed)>();
        foreach (var (entry, i) in DemoRoundSeeder.Shortlist2024.Entries.Select((e, i) => (e, i)))
        {
            seeds.Add((entry.ProposalId, new DemoProposalSeed(Author(i), new ProposalContent(entry.Title, entry.Summary, Problem,
                entry.Summary, Effect, ShortlistCategories[i % ShortlistCategories.Length], ProposerRelation.Lives, null, entry.TitleEn, entry.SummaryEn),
                ProposalStatus.Shortlisted, 3, entry.BallotNumber, null, submitted.AddHours(i))));
        }

        foreach (var (o, i) in Others.Select((o, i) => (o, i)))
        {
            seeds.Add((o.Id, new DemoProposalSeed(Author(i + 2), new ProposalContent(o.Title, o.Summary, Problem, o.Summary, Effect, o.Category, ProposerRelation.Lives, null),
                o.Status, o.Stage, null, o.Reason, submitted.AddDays(1).AddHours(i))));
        }

        foreach (var (id, seed) in seeds)
        {
            await grains.GetGrain<IProposalDemoSeedingGrain>($"{roundId}:{id}").SeedDemoAsync(seed);
        }

        logger.LogInformation("Demo proposals: {Count} in round {RoundId}", seeds.Count, roundId);
    }

    private static Actor Author(int i) => new($"demo-proposer-{i % 5 + 1}", $"デモ 提案者{i % 5 + 1}");

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
