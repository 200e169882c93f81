using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Web.Register;

namespace Chiyoda.Civic.Web.Hosting;

public static class DemoRoundExtensions
{
    public const string DemoRoundId = "demo-2024";

    /// <summary>The next year's demo round, its call for proposals open, so a newcomer can propose and a screener screen at once.</summary>
    public const string DemoCallRoundId = "demo-2025";

    /// <summary>In development (Demo:Enabled), a round named after the ward's 2024 round, with voting open, so a newcomer can click through at once.</summary>
    public static WebApplicationBuilder AddCivicDemoRound(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue("Demo:Enabled", false))
        {
            builder.Services.AddSingleton<Implementation.DemoResultsSeeder>();
            builder.Services.AddHostedService<DemoRoundSeeder>();
        }

        return builder;
    }
}

/// <summary>
/// Creates the demo round once; later starts find it in storage and leave it (and everything done
/// with it) as it is. It goes through the same steps as a real round: created with its call for
/// proposals open, proposals submitted and screened, the shortlist published
/// (<see cref="Proposals.DemoProposalsSeeder"/>), then its voting window opened around the first start.
/// </summary>
internal sealed class DemoRoundSeeder(IGrainFactory grains, TimeProvider time, ILogger<DemoRoundSeeder> logger,
    Implementation.DemoResultsSeeder results, IHostApplicationLifetime lifetime) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The second demo round (results published, the 2024 story after the vote) fills in behind the first start, not before it.
        _ = Task.Run(async () =>
        {
            try
            {
                await results.SeedAsync(lifetime.ApplicationStopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Demo results round could not be seeded; the next start tries again");
            }
        }, CancellationToken.None);

        // Every step repeats harmlessly, so a step that timed out (a machine so busy that a grain call outlasts Orleans' 30 s
        // response time-out, seen when four test collections started their platforms and clusters at once beside another platform) is tried again rather than failing the start.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SeedDemoRoundsAsync();
                return;
            }
            catch (TimeoutException e) when (attempt < SeedAttempts && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Seeding the demo rounds timed out (attempt {Attempt} of {Attempts}); trying again", attempt, SeedAttempts);
            }
        }
    }

    private const int SeedAttempts = 3;

    private async Task SeedDemoRoundsAsync()
    {
        var today = WardClock.Today(time);
        await LoadRegisterAsync(today);
        await SeedFacilitiesAsync();
        await SeedOpenCallAsync(today);

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
        var callOpen = votingSchedule with { CallCloses = WardClock.StartOf(today.AddDays(1)), VotingOpens = WardClock.StartOf(today.AddDays(1)) };
        var definition = new RoundDefinition(
            "デジタル活用提案制度 2024年度（デモ）",
            "Digital proposal programme 2024 (demo)",
            callOpen,
            RoundRules.WardDefaults);

        // Each step repeats harmlessly, so a start interrupted half-way completes on the next one.
        var outcome = existing is null ? await round.CreateAsync(definition) : await round.UpdateAsync(definition);
        var refused = outcome.Succeeded ? await new Proposals.DemoProposalsSeeder(grains).SeedThroughScreeningAsync(DemoRoundExtensions.DemoRoundId) : outcome.Code;
        if (refused is null)
        {
            outcome = await round.UpdateAsync(definition with { Schedule = votingSchedule });
            refused = outcome.Code;
        }

        logger.LogInformation("Demo round {RoundId}: {Outcome}", DemoRoundExtensions.DemoRoundId, refused ?? "proposals screened, shortlist published, voting open");
    }

    /// <summary>
    /// The next year's round with its call open (created once; what people do with it stays), three proposals
    /// waiting for the intake check, and the development provider's screener assigned to every stage, so the
    /// proposal and screening journeys can be walked on first start.
    /// </summary>
    private async Task SeedOpenCallAsync(DateOnly today)
    {
        var round = grains.GetGrain<IRoundGrain>(DemoRoundExtensions.DemoCallRoundId);
        if (await round.GetAsync() is null)
        {
            var created = await round.CreateAsync(new RoundDefinition(
                "デジタル活用提案制度 2025年度（デモ・提案募集中）",
                "Digital proposal programme 2025 (demo, open for proposals)",
                new RoundSchedule(
                    CallOpens: WardClock.StartOf(today.AddDays(-14)),
                    CallCloses: WardClock.StartOf(today.AddDays(30)),
                    VotingOpens: WardClock.StartOf(today.AddDays(60)),
                    VotingCloses: WardClock.StartOf(today.AddDays(90)),
                    ResultsDue: WardClock.StartOf(today.AddDays(110))),
                RoundRules.WardDefaults));
            if (!created.Succeeded)
            {
                logger.LogWarning("Demo round {RoundId} refused: {Code}", DemoRoundExtensions.DemoCallRoundId, created.Code);
                return;
            }
        }

        var screening = grains.GetGrain<Abstractions.Screening.IScreeningGrain>(DemoRoundExtensions.DemoCallRoundId);
        var config = await screening.GetConfigAsync();
        if (config.Assignments.Count == 0)
        {
            var stages = config.Setup.Stages.Select(stage => stage.Number).ToList();
            await screening.AssignStagesAsync(Proposals.DemoProposalsSeeder.Staff, new("screener", "審査担当", stages));
        }

        var refused = await new Proposals.DemoProposalsSeeder(grains).SubmitOpenCallAsync(DemoRoundExtensions.DemoCallRoundId);
        logger.LogInformation("Demo round {RoundId}: {Outcome}", DemoRoundExtensions.DemoCallRoundId, refused ?? "call open, proposals waiting for the intake check");
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
