using System.Text;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Counting;
using Chiyoda.Civic.Web.Register;

namespace Chiyoda.Civic.Web.Implementation;

/// <summary>
/// In development (Demo:Enabled): a second demo round whose results are already published, so a newcomer sees what
/// happens after the vote. It takes the real road: proposals submitted and screened (<see cref="Proposals.DemoProposalsSeeder"/>),
/// 20 demo voters' ballots, close, certification and publication (which opens the two adopted proposals' records), then the
/// 2024 story as their records: 「通知の電子化」 (取組 1-⑧, indicator 電子化実施手続数, target 20) and 「スクールカレンダーの電子化」
/// (取組 1-⑨, indicator 電子化実施数). Dates are those of the ward's story; the quarterly actuals are demo figures, and say so.
/// Every step is idempotent (fixed ids), so an interrupted start completes on the next.
/// </summary>
public sealed class DemoResultsSeeder(IServiceProvider services, ILogger<DemoResultsSeeder> logger)
{
    public const string RoundId = "demo-2024-results";
    private const string Department = "department";
    private const string DepartmentName = "所管課 職員";
    private static readonly Actor Staff = Proposals.DemoProposalsSeeder.Staff;

    /// <summary>Ballot numbers chosen by demo voters d-0001..d-0020 (up to 3 each): 1 and 2 come first, as in 2024.</summary>
    private static readonly int[][] Choices =
    [
        [1, 2, 3], [1, 2, 4], [1, 3, 5], [1, 2, 6], [1, 4, 7], [2, 3, 1], [1, 2], [3, 1, 2], [2, 4, 5], [1, 6],
        [2, 3], [1, 5], [4, 2, 1], [3, 6, 2], [1, 7], [2, 5], [3, 4], [6, 1], [5, 2], [7, 3],
    ];

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        using var scope = services.CreateScope();
        var grains = scope.ServiceProvider.GetRequiredService<IGrainFactory>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var results = await grains.GetGrain<IResultsGrain>(RoundId).GetAsync();
        if (results.IsPublished && (await grains.GetGrain<IRoundGrain>(RoundId).GetAsync())?.Definition.Schedule is { } dates
            && dates.VotingCloses > WardClock.StartOf(AdoptedOn))
        {
            // Seeded before the round took the 2024 dates: a closed round's dates cannot move (nor its ballots be re-judged), so it
            // keeps them and reads its vote after the adoption. Deleting .data/ seeds it afresh with the dates in order.
            logger.LogInformation("Demo results round {RoundId} keeps the dates it was seeded with (vote closed {Closed:yyyy-MM-dd}); delete .data/ for the 2024 dates",
                RoundId, WardClock.ToWardTime(dates.VotingCloses));
        }

        if (!results.IsPublished)
        {
            var refused = await PublishAsync(scope.ServiceProvider, grains, time);
            if (refused is not null)
            {
                logger.LogWarning("Demo results round {RoundId}: {Refused}", RoundId, refused);
                return;
            }
        }

        var implementation = scope.ServiceProvider.GetRequiredService<ImplementationService>();
        await StoryAsync(implementation, "p-001", NoticesStory);
        await StoryAsync(implementation, "p-002", CalendarStory);
        await SatisfactionAsync(scope.ServiceProvider.GetRequiredService<Satisfaction.SatisfactionService>());
        logger.LogInformation("Demo results round {RoundId}: results published, the 2024 story recorded", RoundId);
    }

    /// <summary>
    /// The round's own dates are the 2024 round's (voting 5 August to 20 September 2024, as the ward's report; results due on the
    /// day of the report, 26 November 2024; the call's dates are the demo's), so its page reads call, vote, results, adoption and
    /// steps in order. Adoption (26 November 2024) and the steps come after the close.
    /// </summary>
    public static RoundSchedule Schedule2024 { get; } = new(
        CallOpens: WardClock.StartOf(new DateOnly(2024, 4, 1)),
        CallCloses: WardClock.StartOf(new DateOnly(2024, 6, 1)),
        VotingOpens: WardClock.StartOf(new DateOnly(2024, 8, 5)),
        VotingCloses: WardClock.StartOf(new DateOnly(2024, 9, 21)),
        ResultsDue: WardClock.StartOf(new DateOnly(2024, 11, 26)));

    /// <summary>The adoption date of both records: the day the outcome went to the ward's DX committee.</summary>
    public static DateOnly AdoptedOn { get; } = new(2024, 11, 26);

    private const string Facility = "F01";
    private const string BatchId = "demo-2024-results-f01";
    private static readonly DateOnly CastOn = new(2024, 9, 20);

    private async Task<string?> PublishAsync(IServiceProvider provider, IGrainFactory grains, TimeProvider time)
    {
        var today = WardClock.Today(time);
        var round = grains.GetGrain<IRoundGrain>(RoundId);
        var existing = await round.GetAsync();
        // Proposals are submitted and screened the one way there is: while the call is open on today's clock, with voting ahead.
        var screening = new RoundSchedule(
            CallOpens: WardClock.StartOf(today.AddDays(-120)),
            CallCloses: WardClock.StartOf(today.AddDays(1)),
            VotingOpens: WardClock.StartOf(today.AddDays(1)),
            VotingCloses: WardClock.StartOf(today.AddDays(30)),
            ResultsDue: WardClock.StartOf(today.AddDays(40)));
        var definition = new RoundDefinition(
            "デジタル活用提案制度 2024年度（デモ・結果公表済み）",
            "Digital proposal programme 2024 (demo, results published)",
            screening,
            RoundRules.WardDefaults);

        if (await round.GetShortlistAsync() is null)
        {
            var created = existing is null ? await round.CreateAsync(definition) : await round.UpdateAsync(definition);
            var screened = created.Succeeded ? await new Proposals.DemoProposalsSeeder(grains).SeedThroughScreeningAsync(RoundId) : created.Code;
            if (screened is not null)
            {
                return screened;
            }
        }

        var counting = provider.GetRequiredService<CountingService>();
        if ((await counting.GetAsync(RoundId)).Certified is null)
        {
            // The demo voters are on the register before the round takes the 2024 dates: a register is final once voting has closed.
            if (await RegisterAsync(provider) is { } notLoaded)
            {
                return notLoaded;
            }

            // Then the round takes the 2024 dates, before any ballot exists: voting has not opened on the screening dates, so
            // the move is allowed (a round seeded with the old dates, whose voting opened, refuses it: see SeedAsync).
            var dated = await round.UpdateAsync(definition with { Schedule = Schedule2024 });
            if (!dated.Succeeded)
            {
                return $"{dated.Code}: the round's dates cannot become 2024's";
            }

            // The demo voters voted on paper at a ward facility within the 2024 window; the ballots are keyed now, twice, by
            // two clerks and committed, as paper ballots are after a close (judged by the day cast, not the day keyed).
            if (await PaperBallotsAsync(provider) is { } refused)
            {
                return refused;
            }

            if ((await counting.GetAsync(RoundId)).Close is null)
            {
                // The window ended on 20 September 2024: the close is recorded at that instant (not early), as the close
                // watch would on its own.
                var closed = await counting.CloseAsync(RoundId, "デモ: 2024年度の投票期間が終わりました。", Staff);
                if (!closed.Succeeded)
                {
                    return closed.Code;
                }
            }

            var certified = await counting.CertifyAsync(RoundId, Staff);
            if (!certified.Succeeded)
            {
                return certified.Code;
            }
        }

        var published = await counting.PublishAsync(RoundId, Staff);
        return published.Code;
    }

    /// <summary>Demo voters d-0001..d-0020 on the round's register; null when loaded (or loaded on an earlier start, the round since closed).</summary>
    private static async Task<string?> RegisterAsync(IServiceProvider provider)
    {
        var registers = provider.GetRequiredService<RegisterService>();
        if (await registers.IsFinalAsync(RoundId))
        {
            return null;
        }

        var register = new StringBuilder(RegisterFile.Header).Append('\n');
        foreach (var n in Enumerable.Range(1, Choices.Length))
        {
            register.Append($"d-{n:0000},デモ トウヒョウシャ{n},{1950 + n}-04-{n:00},102-0074\n");
        }

        var (_, error) = await registers.LoadAsync(RoundId, Encoding.UTF8.GetBytes(register.ToString()));
        return error;
    }

    /// <summary>The 20 demo voters' paper ballots (<see cref="Choices"/>), one batch keyed by two clerks and committed; null when committed.</summary>
    private static async Task<string?> PaperBallotsAsync(IServiceProvider provider)
    {
        var paper = provider.GetRequiredService<PaperBallots.PaperBallotService>();
        if ((await paper.GetBatchAsync(RoundId, BatchId))?.Summary.Status == PaperBatchStatuses.Committed)
        {
            return null;
        }

        var staff = new PaperBallots.PaperActor(Staff.Sub, Staff.Name, IsAdministrator: true);
        var facilities = await paper.SetFacilitiesAsync(RoundId, [new(Facility, "千代田区役所 1階 区民ホール")], staff);
        if (facilities.Count > 0)
        {
            return facilities[0].Code;
        }

        if (await paper.GetBatchAsync(RoundId, BatchId) is null)
        {
            var opened = await paper.OpenBatchAsync(RoundId, BatchId, Facility, CastOn, Choices.Length, staff);
            if (!opened.Succeeded)
            {
                return opened.Code;
            }
        }

        var lines = Choices.Select((c, i) => new PaperLine(i + 1, $"demo-2024-{i + 1:000}", Facility, WardDates.Iso(CastOn), $"d-{i + 1:0000}",
            string.Join(';', c))).ToList();
        var batch = await paper.GetBatchAsync(RoundId, BatchId);
        if (batch!.Summary.Status is not (PaperBatchStatuses.Agreed or PaperBatchStatuses.Committing))
        {
            foreach (var clerk in new[] { 1, 2 })
            {
                var (_, code, _) = await paper.KeyAsync(RoundId, BatchId, lines,
                    new PaperBallots.PaperActor($"system:demo-clerk-{clerk}", $"デモ用の入力（自動）{clerk}", IsAdministrator: false), PaperKeyingSources.Typed);
                if (code is not null && code != PaperErrorCodes.KeyingsComplete)
                {
                    return code;
                }
            }
        }

        var committed = await paper.CommitAsync(RoundId, BatchId, staff, null);
        if (!committed.Succeeded)
        {
            return committed.Code;
        }

        var done = await paper.WaitForCommitAsync(RoundId, BatchId, TimeSpan.FromSeconds(60));
        return done?.Summary.Status == PaperBatchStatuses.Committed ? null : "paper-batch-not-committed";
    }

    /// <summary>
    /// Demo answers to 「満足度」 from the results page (one per demo voter, and 12 from demo residents without a ballot, so the
    /// round passes the 30 answers from which satisfaction is published; a repeat is refused as already rated), so 「統計」 shows them.
    /// </summary>
    private static async Task SatisfactionAsync(Satisfaction.SatisfactionService satisfaction)
    {
        int[] ratings = [5, 4, 4, 5, 3, 4, 5, 2, 4, 5, 4, 3, 5, 4, 1, 4, 5, 4, 3, 4, 4, 3, 5, 4, 2, 4, 5, 3, 4, 4, 5, 3];
        for (var i = 0; i < ratings.Length; i++)
        {
            var key = i < Choices.Length ? $"d-{i + 1:0000}" : $"guest-{i + 1 - Choices.Length:00}";
            await satisfaction.RateAsync(RoundId, new Ballots.Voter($"demo-rater:{key}", key), Abstractions.Satisfaction.SatisfactionSource.Results, ratings[i],
                i % 5 == 0 ? "（デモ）紙でもスマホでも投票できて便利でした。" : null);
        }
    }

    private sealed record Step(string Status, DateOnly Date, string Note, string NoteEn, string Department);

    private sealed record Story(IReadOnlyList<Step> Steps, IndicatorDefinition Indicator, IReadOnlyList<IndicatorActual> Actuals, string LinkTitle);

    private const string Dx = "政策経営部 DX戦略課";
    private const string Education = "教育委員会 学務課";
    private const string DemoFigure = "デモ用の数値";

    private static readonly Story NoticesStory = new(
    [
        new("budget-consideration", new(2024, 12, 2), "区民投票の結果を踏まえ、予算化を検討しています。", "Budgeting is being considered in view of the vote.", Dx),
        new("budget-debate", new(2025, 2, 14), "令和7年第1回千代田区議会定例会にて予算案を審議しています。", "The draft budget is before the ward assembly's first regular session of 2025.", Dx),
        new("budget-passed", new(2025, 3, 26), "DX戦略の取組 1-⑧「通知の電子化」（令和6年度デジタル活用提案制度採用事業）として予算が成立しました。",
            "The budget passed: item 1-8 of the DX strategy, \"electronic notices\" (adopted in the 2024 programme).", Dx),
        new("in-progress", new(2025, 4, 1), "令和7年度から一部の手続で電子通知を始め、対象の手続を順次広げています。",
            "Electronic notices started for some procedures in FY2025 and are being widened.", Dx),
    ],
    new("procedures", "電子化実施手続数", "Procedures with electronic notices", "手続", "procedures", 20, new DateOnly(2027, 3, 31)),
    [
        new(new(2025, 6, 30), 3, DemoFigure), new(new(2025, 9, 30), 6, DemoFigure), new(new(2025, 12, 31), 9, DemoFigure),
        new(new(2026, 3, 31), 12, DemoFigure), new(new(2026, 6, 30), 14, DemoFigure), new(new(2026, 9, 30), 16, DemoFigure),
    ],
    "千代田区ホームページ");

    private static readonly Story CalendarStory = new(
    [
        new("budget-consideration", new(2024, 12, 2), "区民投票の結果を踏まえ、予算化を検討しています。", "Budgeting is being considered in view of the vote.", Dx),
        new("budget-debate", new(2025, 2, 14), "令和7年第1回千代田区議会定例会にて予算案を審議しています。", "The draft budget is before the ward assembly's first regular session of 2025.", Dx),
        new("budget-passed", new(2025, 3, 26), "DX戦略の取組 1-⑨「スクールカレンダーの電子化」（令和6年度デジタル活用提案制度採用事業）として予算が成立しました。",
            "The budget passed: item 1-9 of the DX strategy, \"school calendars online\" (adopted in the 2024 programme).", Education),
        new("in-progress", new(2025, 4, 1), "区立学校のスクールカレンダーを iCalendar 形式で順次公開しています。",
            "Ward schools' calendars are being published in iCalendar format, school by school.", Education),
        new("implemented", new(2026, 3, 31), "令和7年度の実施を終えました。", "Implementation in FY2025 is complete.", Education),
        new("evaluated", new(2026, 5, 29), "令和7年度の実施結果を検証しました。", "The FY2025 results were evaluated.", Education),
    ],
    new("calendars", "電子化実施数", "Calendars published electronically", "校", "schools", 10, new DateOnly(2026, 3, 31)),
    [
        new(new(2025, 6, 30), 2, DemoFigure), new(new(2025, 9, 30), 5, DemoFigure), new(new(2025, 12, 31), 8, DemoFigure), new(new(2026, 3, 31), 10, DemoFigure),
    ],
    "千代田区ホームページ");

    private async Task StoryAsync(ImplementationService implementation, string proposalId, Story story)
    {
        var record = await implementation.GetAsync(RoundId, proposalId);
        if (record is null)
        {
            logger.LogWarning("Demo results round: {ProposalId} has no implementation record", proposalId);
            return;
        }

        var outcomes = new List<CommandResult<ImplementationRecord>>
        {
            await implementation.SetAdoptedOnAsync(RoundId, proposalId, Staff, "demo-adopted-on", AdoptedOn),
            await implementation.AssignAsync(RoundId, proposalId, Staff, "demo-assign", [new(Department, DepartmentName)]),
        };
        for (var i = 0; i < story.Steps.Count; i++)
        {
            var s = story.Steps[i];
            outcomes.Add(await implementation.SetStatusAsync(RoundId, proposalId, Staff, $"demo-step-{i + 1}", new StatusChange(s.Status, s.Date, s.Note, s.NoteEn, s.Department)));
        }

        outcomes.Add(await implementation.SetIndicatorAsync(RoundId, proposalId, Staff, "demo-indicator", story.Indicator));
        for (var i = 0; i < story.Actuals.Count; i++)
        {
            outcomes.Add(await implementation.RecordActualAsync(RoundId, proposalId, Staff, $"demo-actual-{i + 1}", story.Indicator.Id, story.Actuals[i]));
        }

        outcomes.Add(await implementation.SetDetailsAsync(RoundId, proposalId, Staff, "demo-details",
            new ImplementationDetails(null, [new(story.LinkTitle, "https://www.city.chiyoda.lg.jp/")])));
        foreach (var refused in outcomes.Where(o => !o.Succeeded))
        {
            logger.LogWarning("Demo story for {ProposalId}: {Code} {Errors}", proposalId, refused.Code, string.Join("; ", refused.Errors.Select(e => e.Message)));
        }
    }
}
