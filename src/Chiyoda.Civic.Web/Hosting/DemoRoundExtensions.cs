using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Web.Register;

namespace Chiyoda.Civic.Web.Hosting;

public static class DemoRoundExtensions
{
    public const string DemoRoundId = "demo-2024";

    /// <summary>In development (Demo:Enabled), a round named after the ward's 2024 round, with voting open, so a newcomer can click through at once.</summary>
    public static WebApplicationBuilder AddCivicDemoRound(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue("Demo:Enabled", false))
        {
            builder.Services.AddHostedService<DemoRoundSeeder>();
            // After the round: hosted services start one after another, in this order.
            builder.Services.AddHostedService<Proposals.DemoProposalsSeeder>();
        }

        return builder;
    }
}

/// <summary>
/// Creates the demo round once; later starts find it in storage and leave it (and everything done
/// with it) as it is. It goes through the same steps as a real round: created before voting, its
/// shortlist set, then its voting window opened around the first start.
/// </summary>
internal sealed class DemoRoundSeeder(IGrainFactory grains, TimeProvider time, ILogger<DemoRoundSeeder> logger) : IHostedService
{
    /// <summary>The 2024 round's shortlist, as published by the ward (programme-2024.md).</summary>
    public static readonly Shortlist Shortlist2024 = new(
    [
        new(1, "p-001", "デジタル書面送付サービス", "Digital document delivery service",
            "区からの書面をデジタルで受け取れるようにし、郵送の手間と費用を減らします。", "Receive the ward's letters digitally, saving postage and paper."),
        new(2, "p-002", "スクールカレンダーの iCalendar 形式での公開", "Publishing school calendars in iCalendar format",
            "学校の行事予定を iCalendar 形式で公開し、保護者が自分のカレンダーで購読できるようにします。", "Publish school calendars as iCalendar feeds parents can subscribe to."),
        new(3, "p-003", "地域住民・保護者支援による学校現場における IT ツール活用", "IT tools in schools, supported by residents and parents",
            "地域住民や保護者の協力で、学校での IT ツールの活用を支えます。", "Residents and parents help schools make use of IT tools."),
        new(4, "p-004", "千代田区営アプリ「ちよログ」", "Ward app \"Chiyo-Log\"",
            "区の情報や手続きをまとめて使える区営アプリをつくります。", "A ward app that brings the ward's information and services together."),
        new(5, "p-005", "デジタルマップを通じた千代田区の魅力の発信", "Promoting the ward through a digital map",
            "区の見どころをデジタルマップで紹介します。", "Show the ward's attractions on a digital map."),
        new(6, "p-006", "Chiyoda AI Helpdesk", "Chiyoda AI Helpdesk",
            "区への問い合わせに AI が24時間答えるヘルプデスクです。", "An AI helpdesk that answers questions about the ward around the clock."),
        new(7, "p-007", "Metaverse Museum", "Metaverse Museum",
            "区の歴史や文化をメタバース上の博物館で紹介します。", "A museum in the metaverse presenting the ward's history and culture."),
    ]);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var today = WardClock.Today(time);
        await LoadRegisterAsync(today);
        await SeedFacilitiesAsync();

        var round = grains.GetGrain<IRoundGrain>(DemoRoundExtensions.DemoRoundId);
        var existing = await round.GetAsync();
        if (existing is not null && await round.GetShortlistAsync() is not null)
        {
            return;
        }

        var votingSchedule = new RoundSchedule(
            CallOpens: WardClock.StartOf(today.AddDays(-70)),
            CallCloses: WardClock.StartOf(today.AddDays(-35)),
            VotingOpens: WardClock.StartOf(today.AddDays(-7)),
            VotingCloses: WardClock.StartOf(today.AddDays(40)),
            ResultsDue: WardClock.StartOf(today.AddDays(60)));
        var beforeVoting = votingSchedule with { VotingOpens = WardClock.StartOf(today.AddDays(1)) };
        var definition = new RoundDefinition(
            "デジタル活用提案制度 2024年度（デモ）",
            "Digital proposal programme 2024 (demo)",
            beforeVoting,
            RoundRules.WardDefaults);

        // Each step repeats harmlessly, so a start interrupted half-way completes on the next one.
        var outcome = existing is null ? await round.CreateAsync(definition) : await round.UpdateAsync(definition);
        if (outcome.Succeeded)
        {
            outcome = await round.SetShortlistAsync(Shortlist2024);
        }

        if (outcome.Succeeded)
        {
            outcome = await round.UpdateAsync(definition with { Schedule = votingSchedule });
        }

        logger.LogInformation("Demo round {RoundId}: {Outcome}", DemoRoundExtensions.DemoRoundId, outcome.Succeeded ? "ready, voting open" : outcome.Code);
    }

    /// <summary>
    /// The demo register holds the development provider's residents, with the birthdates it gives
    /// them today, and voters d-0001 to d-0020 (sign in as voter:d-0001). It is loaded on every start
    /// through the register file path; only entries whose birthdate moved with the calendar change.
    /// </summary>
    private async Task LoadRegisterAsync(DateOnly today)
    {
        var lines = new List<string>
        {
            RegisterFile.Header,
            $"demo-r17,クミン ジュウナナ,{today.AddYears(-17).AddDays(-100):yyyy-MM-dd},102-8688",
            $"demo-r18t,クミン アスジュウハチ,{today.AddDays(1).AddYears(-18):yyyy-MM-dd},102-8688",
            $"demo-r18,クミン ジュウハチ,{today.AddYears(-18).AddDays(-30):yyyy-MM-dd},102-8688",
            $"demo-r45,クミン ヨンジュウゴ,{today.AddYears(-45).AddDays(-10):yyyy-MM-dd},101-0051",
            $"demo-r80,クミン ハチジュウ,{today.AddYears(-80).AddDays(-40):yyyy-MM-dd},101-0065",
        };
        lines.AddRange(Enumerable.Range(1, 20).Select(n => $"d-{n:0000},デモ トウヒョウシャ{n},{1950 + n}-04-{n:00},102-0074"));
        var (report, error) = await new RegisterService(grains).LoadAsync(DemoRoundExtensions.DemoRoundId,
            System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines)));
        logger.LogInformation("Demo register: {Added} added, {Updated} updated, {Error}", report?.Added, report?.Updated, error);
    }

    /// <summary>
    /// Two ward facilities where the demo round's paper ballots are cast, so clerks can open, key and
    /// commit a batch at once. Set only while the round has none: facilities an administrator edited stay.
    /// </summary>
    private async Task SeedFacilitiesAsync()
    {
        var paper = grains.GetGrain<Abstractions.PaperBallots.IPaperRoundGrain>(DemoRoundExtensions.DemoRoundId);
        if ((await paper.GetFacilitiesAsync()).Count == 0)
        {
            await paper.SetFacilitiesAsync([new("F01", "千代田区役所 1階 区民ホール"), new("F02", "神田公園出張所")]);
            logger.LogInformation("Demo paper-ballot facilities: F01, F02");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
