using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;

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
        }

        return builder;
    }
}

/// <summary>
/// Creates the demo round once; later starts find it in storage and leave it (and everything done
/// with it) as it is. Dates are set around the first start so its voting window is open.
/// </summary>
internal sealed class DemoRoundSeeder(IGrainFactory grains, TimeProvider time, ILogger<DemoRoundSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var round = grains.GetGrain<IRoundGrain>(DemoRoundExtensions.DemoRoundId);
        if (await round.GetAsync() is not null)
        {
            return;
        }

        var today = WardClock.Today(time);
        var definition = new RoundDefinition(
            "デジタル活用提案制度 2024年度（デモ）",
            "Digital proposal programme 2024 (demo)",
            new RoundSchedule(
                CallOpens: WardClock.StartOf(today.AddDays(-70)),
                CallCloses: WardClock.StartOf(today.AddDays(-35)),
                VotingOpens: WardClock.StartOf(today.AddDays(-7)),
                VotingCloses: WardClock.StartOf(today.AddDays(40)),
                ResultsDue: WardClock.StartOf(today.AddDays(60))),
            RoundRules.WardDefaults);
        var result = await round.CreateAsync(definition);
        logger.LogInformation("Demo round {RoundId}: {Outcome}", DemoRoundExtensions.DemoRoundId, result.Succeeded ? "created" : result.Code);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
