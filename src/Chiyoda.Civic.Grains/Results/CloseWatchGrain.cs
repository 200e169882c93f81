using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Grains.Results;

/// <summary>
/// Closes rounds on schedule. The window itself is enforced by the dates (every ballot reads the
/// round), so this only records the close (results grain and audit log) and moves the round into
/// counting. A durable reminder (Azure Table reminder service) wakes it every minute, including after
/// a restart; the work is idempotent, so a missed or repeated tick changes nothing.
/// </summary>
[GrainType("close-watch")]
public sealed class CloseWatchGrain(TimeProvider time, IOptions<BallotRetentionOptions> retention) : Grain, ICloseWatchGrain, IRemindable
{
    public const string RetentionSub = "system:retention";
    private readonly HashSet<string> _purged = new(StringComparer.Ordinal);

    public const string ReminderName = "close-of-voting";
    public const string SystemSub = "system:schedule";
    private readonly HashSet<string> _recorded = new(StringComparer.Ordinal);

    async Task ICloseWatchGrain.StartAsync() =>
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

    Task<IReadOnlyList<string>> ICloseWatchGrain.CheckAsync() => CheckAsync();

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => await CheckAsync();

    private async Task<IReadOnlyList<string>> CheckAsync()
    {
        var now = time.GetUtcNow();
        var closed = new List<string>();
        var rounds = await GrainFactory.GetGrain<IRoundDirectoryGrain>(IRoundDirectoryGrain.WardKey).ListAsync();
        foreach (var round in rounds.Where(r => r.Schedule.VotingCloses <= now && !_recorded.Contains(r.RoundId)))
        {
            var results = GrainFactory.GetGrain<IResultsGrain>(round.RoundId);
            if ((await results.GetAsync()).Close is null)
            {
                var close = new CloseRecord(round.Schedule.VotingCloses, SystemSub, "schedule", null, Early: false);
                await results.RecordCloseAsync(close);
                await new GrainAuditLog(GrainFactory).AppendAsync(round.RoundId, new AuditEntry(
                    $"results:{round.RoundId}:closed", now, SystemSub, "schedule", "voting.closed", $"round {round.RoundId}",
                    null, $"closed at {close.ClosedAt:O} (schedule)"));
                closed.Add(round.RoundId);
            }

            _recorded.Add(round.RoundId);
        }

        await PurgeDueAsync(rounds.Where(r => r.Schedule.VotingCloses <= now && !_purged.Contains(r.RoundId)).Select(r => r.RoundId), now);
        return closed;
    }

    /// <summary>
    /// Removes the voter↔ballot links of rounds certified longer ago than the retention (<see cref="BallotRetentionOptions"/>),
    /// as an administrator's purge does, and records it in the audit log.
    /// </summary>
    private async Task PurgeDueAsync(IEnumerable<string> roundIds, DateTimeOffset now)
    {
        foreach (var roundId in roundIds)
        {
            var results = GrainFactory.GetGrain<IResultsGrain>(roundId);
            var view = await results.GetAsync();
            if (view.Purge is not null)
            {
                _purged.Add(roundId);
                continue;
            }

            if (view.Certified is { } certified && certified.CertifiedAt + retention.Value.PurgeAfter <= now)
            {
                var purged = await results.PurgeBallotsAsync(RetentionSub, "retention");
                if (purged.Value?.Purge is { } purge)
                {
                    await new GrainAuditLog(GrainFactory).AppendAsync(roundId, new AuditEntry($"results:{roundId}:ballots-purged", purge.At, purge.BySub, purge.ByName,
                        "ballots.purged", $"round {roundId}", null, $"{purge.BallotsRemoved} stored ballots removed after the retention of {retention.Value.PurgeAfter.TotalDays:0} days"));
                    _purged.Add(roundId);
                }
            }
        }
    }
}

/// <summary>How long the stored ballots (the voter↔ballot links) of a certified round are kept before they are purged.</summary>
public sealed class BallotRetentionOptions
{
    /// <summary>From certification; <c>Ballots:PurgeAfterDays</c> (default 90: time for a recount request or an appeal).</summary>
    public TimeSpan PurgeAfter { get; set; } = TimeSpan.FromDays(90);
}
