using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Grains.Results;

/// <summary>
/// Closes rounds on schedule. The window itself is enforced by the dates (every ballot reads the
/// round), so this only records the close (results grain and audit log) and moves the round into
/// counting. A durable reminder (Azure Table reminder service) wakes it every minute, including after
/// a restart; the work is idempotent, so a missed or repeated tick changes nothing.
/// </summary>
[GrainType("close-watch")]
public sealed class CloseWatchGrain(TimeProvider time) : Grain, ICloseWatchGrain, IRemindable
{
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

        return closed;
    }
}
