using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Web.Rounds;

/// <summary>A round as screens and the API show it: what is stored, plus the phase (the clock's, or results once published).</summary>
public sealed record RoundView(RoundSnapshot Snapshot, RoundPhase Phase)
{
    public string RoundId => Snapshot.RoundId;
    public RoundDefinition Definition => Snapshot.Definition;
}

/// <summary>The one way pages and the API reach round grains.</summary>
public sealed class RoundService(IGrainFactory grains, TimeProvider time, KnownRounds known)
{
    public async Task<IReadOnlyList<RoundView>> ListAsync()
    {
        var now = time.GetUtcNow();
        var summaries = await grains.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey).ListAsync();
        var rounds = await Task.WhenAll(summaries.Select(s => grains.GetGrain<IRoundGrain>(s.RoundId).GetAsync()));
        return [.. rounds.OfType<RoundSnapshot>().Select(r => new RoundView(r, r.PhaseAt(now)))];
    }

    public async Task<RoundView?> GetAsync(string roundId)
    {
        if (!await known.ExistsAsync(roundId))
        {
            return null;
        }

        var snapshot = await grains.GetGrain<IRoundGrain>(roundId).GetAsync();
        return snapshot is null ? null : new RoundView(snapshot, snapshot.PhaseAt(time.GetUtcNow()));
    }

    /// <summary>The round a resident most likely came for: the newest one that has begun, else the next to begin.</summary>
    public static RoundView? CurrentOf(IReadOnlyList<RoundView> rounds) =>
        rounds.Where(r => r.Phase != RoundPhase.Upcoming).MaxBy(r => r.Definition.Schedule.CallOpens)
            ?? rounds.MinBy(r => r.Definition.Schedule.CallOpens);

    public Task<CommandResult<RoundSnapshot>> CreateAsync(string roundId, RoundDefinition definition, Actor? actor = null) =>
        RoundValidation.IsValidRoundId(roundId) && roundId != Abstractions.Audit.WardAudit.ChainKey
            ? grains.GetGrain<IRoundGrain>(roundId).CreateAsync(definition, actor)
            : Task.FromResult(CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.InvalidRoundId,
                [new("roundId", RoundErrorCodes.InvalidRoundId, "A round id is 1 to 63 lower-case letters, digits or hyphens, starting with a letter or digit (not \"ward\", the ward's own audit log).")]));

    public async Task<CommandResult<RoundSnapshot>> UpdateAsync(string roundId, RoundDefinition definition, Actor? actor = null) =>
        await known.ExistsAsync(roundId)
            ? await grains.GetGrain<IRoundGrain>(roundId).UpdateAsync(definition, actor)
            : CommandResult<RoundSnapshot>.Refused(RoundErrorCodes.RoundNotFound, []);

    public async Task<Shortlist?> GetShortlistAsync(string roundId) =>
        await known.ExistsAsync(roundId) ? await grains.GetGrain<IRoundGrain>(roundId).GetShortlistAsync() : null;

    public RoundPhase PhaseNow(RoundSnapshot round) => round.PhaseAt(time.GetUtcNow());

    /// <summary>Records the results' publication in the round, so its phase is results from then on.</summary>
    public Task<RoundSnapshot?> RecordPublicationAsync(string roundId, DateTimeOffset publishedAt) =>
        grains.GetGrain<IRoundGrain>(roundId).RecordPublicationAsync(publishedAt);
}
