using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Web.Rounds;

/// <summary>A round as screens and the API show it: what is stored, plus the phase derived from the clock.</summary>
public sealed record RoundView(RoundSnapshot Snapshot, RoundPhase Phase)
{
    public string RoundId => Snapshot.RoundId;
    public RoundDefinition Definition => Snapshot.Definition;
}

/// <summary>The one way pages and the API reach round grains.</summary>
public sealed class RoundService(IGrainFactory grains, TimeProvider time)
{
    public async Task<IReadOnlyList<RoundView>> ListAsync()
    {
        var now = time.GetUtcNow();
        var summaries = await grains.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey).ListAsync();
        var rounds = await Task.WhenAll(summaries.Select(s => grains.GetGrain<IRoundGrain>(s.RoundId).GetAsync()));
        return [.. rounds.OfType<RoundSnapshot>().Select(r => new RoundView(r, r.Definition.Schedule.PhaseAt(now)))];
    }

    public async Task<RoundView?> GetAsync(string roundId)
    {
        if (!RoundValidation.IsValidRoundId(roundId))
        {
            return null;
        }

        var snapshot = await grains.GetGrain<IRoundGrain>(roundId).GetAsync();
        return snapshot is null ? null : new RoundView(snapshot, snapshot.Definition.Schedule.PhaseAt(time.GetUtcNow()));
    }

    /// <summary>The round a resident most likely came for: the newest one that has begun, else the next to begin.</summary>
    public static RoundView? CurrentOf(IReadOnlyList<RoundView> rounds) =>
        rounds.Where(r => r.Phase != RoundPhase.Upcoming).MaxBy(r => r.Definition.Schedule.CallOpens)
            ?? rounds.MinBy(r => r.Definition.Schedule.CallOpens);

    public Task<RoundCommandResult> CreateAsync(string roundId, RoundDefinition definition) =>
        RoundValidation.IsValidRoundId(roundId)
            ? grains.GetGrain<IRoundGrain>(roundId).CreateAsync(definition)
            : Task.FromResult(RoundCommandResult.Refused(RoundErrorCodes.InvalidRoundId,
                [new("roundId", RoundErrorCodes.InvalidRoundId, "A round id is 1 to 63 lower-case letters, digits or hyphens, starting with a letter or digit.")]));

    public Task<RoundCommandResult> UpdateAsync(string roundId, RoundDefinition definition) =>
        RoundValidation.IsValidRoundId(roundId)
            ? grains.GetGrain<IRoundGrain>(roundId).UpdateAsync(definition)
            : Task.FromResult(RoundCommandResult.Refused(RoundErrorCodes.RoundNotFound));

    public async Task<Shortlist?> GetShortlistAsync(string roundId) =>
        RoundValidation.IsValidRoundId(roundId) ? await grains.GetGrain<IRoundGrain>(roundId).GetShortlistAsync() : null;

    public RoundPhase PhaseNow(RoundSchedule schedule) => schedule.PhaseAt(time.GetUtcNow());
}
