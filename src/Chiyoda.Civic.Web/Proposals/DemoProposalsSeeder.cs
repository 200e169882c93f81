using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Web.Proposals;

/// <summary>
/// In development (Demo:Enabled), while the demo round's call for proposals is open: its 12 proposals,
/// taken along the same road as any other. Demo proposers submit them; staff (the demo's own staff
/// account) screen them through the round's stages: 7 reach the committee's selection and go on the
/// ballot as the 2024 shortlist (p-001..p-007, ballot numbers 1..7, titles in Japanese and English),
/// 3 are declined and 2 withdrawn on the way. Every step is idempotent (fixed proposal and decision
/// ids), so a start interrupted half-way completes on the next one.
/// </summary>
internal sealed class DemoProposalsSeeder(IGrainFactory grains)
{
    private const string Problem = "手続きや情報が紙と窓口に頼っていて、区民も職員も手間がかかっています。";
    private const string Effect = "区民の手間と区の費用が減り、必要な人に情報が届きやすくなります。";

    /// <summary>Screens and publishes the shortlist: an administrator's actions, recorded under this name in the audit log.</summary>
    public static readonly Actor Staff = new("system:demo", "デモ用の審査（自動）", IsAdministrator: true);

    private sealed record Seed(string Id, string Title, string? TitleEn, string Summary, string? SummaryEn, string Category,
        ProposalStatus Fate = ProposalStatus.Selected, int AtStage = 0, string? Reason = null);

    /// <summary>The 2024 round's shortlist, as published by the ward (programme-2024.md), in ballot order.</summary>
    private static readonly Seed[] Shortlist2024 =
    [
        new("p-001", "デジタル書面送付サービス", "Digital document delivery service",
            "区からの書面をデジタルで受け取れるようにし、郵送の手間と費用を減らします。", "Receive the ward's letters digitally, saving postage and paper.", "administration"),
        new("p-002", "スクールカレンダーの iCalendar 形式での公開", "Publishing school calendars in iCalendar format",
            "学校の行事予定を iCalendar 形式で公開し、保護者が自分のカレンダーで購読できるようにします。", "Publish school calendars as iCalendar feeds parents can subscribe to.", "children-education"),
        new("p-003", "地域住民・保護者支援による学校現場における IT ツール活用", "IT tools in schools, supported by residents and parents",
            "地域住民や保護者の協力で、学校での IT ツールの活用を支えます。", "Residents and parents help schools make use of IT tools.", "children-education"),
        new("p-004", "千代田区営アプリ「ちよログ」", "Ward app \"Chiyo-Log\"",
            "区の情報や手続きをまとめて使える区営アプリをつくります。", "A ward app that brings the ward's information and services together.", "administration"),
        new("p-005", "デジタルマップを通じた千代田区の魅力の発信", "Promoting the ward through a digital map",
            "区の見どころをデジタルマップで紹介します。", "Show the ward's attractions on a digital map.", "community-tourism"),
        new("p-006", "Chiyoda AI Helpdesk", "Chiyoda AI Helpdesk",
            "区への問い合わせに AI が24時間答えるヘルプデスクです。", "An AI helpdesk that answers questions about the ward around the clock.", "administration"),
        new("p-007", "Metaverse Museum", "Metaverse Museum",
            "区の歴史や文化をメタバース上の博物館で紹介します。", "A museum in the metaverse presenting the ward's history and culture.", "community-tourism"),
    ];

    private static readonly Seed[] Others =
    [
        new("p-008", "防災情報の多言語チャットボット", null, "災害時の情報を多言語のチャットで案内します。", null, "safety-disaster",
            ProposalStatus.Declined, 3, "区の防災アプリで多言語対応を進めており、内容が重なるため。"),
        new("p-009", "区立図書館の電子書籍貸出の拡充", null, "電子書籍の貸出を増やします。", null, "children-education",
            ProposalStatus.Declined, 2, "既存事業として予算化済みのため。"),
        new("p-010", "公園の混雑状況をセンサーで公開", null, "公園の混み具合をセンサーで測り公開します。", null, "environment",
            ProposalStatus.Declined, 3, "費用に比べて区民への効果が小さいと判断したため。"),
        new("p-011", "町会の回覧板をデジタル化", null, "町会の回覧板をアプリで配信します。", null, "community-tourism",
            ProposalStatus.Withdrawn, 2, "町会で独自に進めることになったため。"),
        new("p-012", "高齢者向けスマートフォン講座のオンライン予約", null, "講座の予約をオンラインでできるようにします。", null, "health-welfare",
            ProposalStatus.Withdrawn, 2, "別の提案にまとめるため。"),
    ];

    /// <summary>The ballot numbers' proposals, for anyone checking the demo against the ward's table.</summary>
    public static IReadOnlyList<string> ShortlistIds { get; } = [.. Shortlist2024.Select(s => s.Id)];

    /// <summary>Proposes, screens and publishes; null when the shortlist is published, else what refused it.</summary>
    public async Task<string?> SeedThroughScreeningAsync(string roundId)
    {
        var config = await grains.GetGrain<IScreeningGrain>(roundId).GetConfigAsync();
        var seeds = Shortlist2024.Concat(Others).ToList();
        var outcomes = await Task.WhenAll(seeds.Select((seed, i) => TakeAsync(roundId, seed, Author(i), config.Setup)));
        if (outcomes.FirstOrDefault(o => o is not null) is { } refused)
        {
            return refused;
        }

        var published = await grains.GetGrain<IScreeningGrain>(roundId).PublishShortlistAsync(Staff, ShortlistIds);
        return published.Code;
    }

    /// <summary>Moves one proposal step by step from wherever it stands to its fate; null when it got there.</summary>
    private async Task<string?> TakeAsync(string roundId, Seed seed, Actor author, ScreeningSetup setup)
    {
        var proposal = grains.GetGrain<IProposalGrain>($"{roundId}:{seed.Id}");
        var content = new ProposalContent(seed.Title, seed.Summary, Problem, seed.Summary, Effect, seed.Category, ProposerRelation.Lives, null,
            seed.TitleEn, seed.SummaryEn);
        var result = await proposal.CreateAsync(author, content);
        if (result.Succeeded)
        {
            result = await proposal.SubmitAsync(author);
        }

        while (result.Succeeded && result.Value!.Status is ProposalStatus.Submitted or ProposalStatus.InReview)
        {
            var stage = result.Value.Stage;
            if (seed.AtStage == stage && seed.Fate == ProposalStatus.Withdrawn)
            {
                result = await proposal.WithdrawAsync(author, seed.Reason!);
            }
            else if (seed.AtStage == stage && seed.Fate == ProposalStatus.Declined)
            {
                result = await proposal.DecideAsync(Staff, stage, $"demo-{stage}", DecisionKind.Decline, seed.Reason);
            }
            else
            {
                if (setup.Stage(stage) is { Kind: StageKind.Scored } scored)
                {
                    result = await proposal.ScoreAsync(Staff, stage, scored.Criteria.ToDictionary(c => c.Id, _ => 4));
                }

                result = result.Succeeded ? await proposal.DecideAsync(Staff, stage, $"demo-{stage}", DecisionKind.Advance, null) : result;
            }
        }

        var reached = result.Value?.Status == seed.Fate
            || (seed.Fate == ProposalStatus.Selected && result.Value?.Status == ProposalStatus.Shortlisted);
        return result.Succeeded && reached ? null : result.Code ?? $"{seed.Id}: {result.Value?.Status}";
    }

    /// <summary>The next year's demo call: proposals submitted and waiting for the intake check, so a screener has work at once.</summary>
    private static readonly Seed[] OpenCall =
    [
        new("p-101", "区の施設予約をスマートフォンで", "Booking ward facilities on a smartphone",
            "区民会館や運動施設の予約をスマートフォンからできるようにします。", "Book community halls and sports facilities from a smartphone.", "administration"),
        new("p-102", "ごみ収集日のプッシュ通知", "Push notices for rubbish collection days",
            "ごみの収集日や分別の変更をアプリで知らせます。", "An app tells residents about collection days and sorting changes.", "environment"),
        new("p-103", "高齢者のためのオンライン相談窓口", null,
            "スマートフォンに不慣れな方も使えるビデオ相談の窓口をつくります。", null, "health-welfare"),
    ];

    /// <summary>
    /// The next year's demo call: proposals that passed the intake check, so they are published (listed on the round's
    /// proposals page) and take comments while the call is open: a newcomer can try comments there at once.
    /// </summary>
    private static readonly Seed[] OpenCallPublished =
    [
        new("p-104", "子育て施設の空き状況をオンラインで確認", "Checking places at childcare facilities online",
            "保育園や一時預かりの空き状況を、区のサイトでいつでも確かめられるようにします。", "See free places at nurseries and drop-in childcare on the ward's site at any time.",
            "children-education"),
        new("p-105", "区内の公衆Wi-Fiをオープンデータで公開", "Publishing the ward's public Wi-Fi spots as open data",
            "区の施設や駅周辺の公衆Wi-Fiの場所をオープンデータにし、地図アプリで探せるようにします。", "Publish where public Wi-Fi is in ward facilities and around stations, so map apps can show it.",
            "community-tourism"),
    ];

    /// <summary>The open call's proposals that passed the intake check and are published.</summary>
    public static IReadOnlyList<string> OpenCallPublishedIds { get; } = [.. OpenCallPublished.Select(s => s.Id)];

    /// <summary>The open call's proposals waiting for the intake check.</summary>
    public static IReadOnlyList<string> OpenCallWaitingIds { get; } = [.. OpenCall.Select(s => s.Id)];

    /// <summary>
    /// Submits the open call's proposals and takes two of them through the intake check, as staff would (idempotent: fixed
    /// proposal and decision ids); null when all are where they belong, else what refused one.
    /// </summary>
    public async Task<string?> SubmitOpenCallAsync(string roundId)
    {
        var intake = (await grains.GetGrain<IScreeningGrain>(roundId).GetConfigAsync()).Setup.Stages
            .First(stage => stage.Kind == StageKind.Intake).Number;
        foreach (var (seed, i) in OpenCall.Concat(OpenCallPublished).Select((s, i) => (s, i)))
        {
            var author = Author(i);
            var proposal = grains.GetGrain<IProposalGrain>($"{roundId}:{seed.Id}");
            var content = new ProposalContent(seed.Title, seed.Summary, Problem, seed.Summary, Effect, seed.Category, ProposerRelation.Lives, null,
                seed.TitleEn, seed.SummaryEn);
            var result = await proposal.CreateAsync(author, content);
            if (result.Succeeded && result.Value!.Status == ProposalStatus.Draft)
            {
                result = await proposal.SubmitAsync(author);
            }

            // Past the intake check: published, as any proposal that passes it (a second start finds it in review already).
            if (result.Succeeded && OpenCallPublished.Contains(seed) && result.Value!.Status == ProposalStatus.Submitted && result.Value.Stage == intake)
            {
                result = await proposal.DecideAsync(Staff, intake, $"demo-{intake}", DecisionKind.Advance, null);
            }

            if (!result.Succeeded)
            {
                return $"{seed.Id}: {result.Code}";
            }
        }

        return null;
    }

    private static Actor Author(int i) => new($"demo-proposer-{i % 5 + 1}", $"デモ 提案者{i % 5 + 1}");
}
