namespace Chiyoda.Civic.Grains.Reminders;

/// <summary>Settings section <c>Reminders</c>: how fast reminder emails leave each silo.</summary>
public sealed class ReminderEmailOptions
{
    public const string SectionName = "Reminders";

    /// <summary>
    /// Emails per second a silo sends at most, over all rounds and shards it hosts (default 5: a 3-silo cluster sends
    /// ~54,000 an hour). Set it below the relay's own limit divided by the number of silos.
    /// </summary>
    public double EmailsPerSecond { get; set; } = 5;

    /// <summary>Emails one shard sends in one grain turn (default 20); between batches other calls to the shard (opt-in, opt-out) run.</summary>
    public int BatchSize { get; set; } = 20;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (double.IsNaN(EmailsPerSecond) || EmailsPerSecond is < 0.01 or > 1000)
        {
            problems.Add("Reminders:EmailsPerSecond must be 0.01-1000.");
        }

        if (BatchSize is < 1 or > 500)
        {
            problems.Add("Reminders:BatchSize must be 1-500.");
        }

        return problems;
    }
}

/// <summary>
/// The silo's rate limit for reminder emails: each send waits for the next free slot, one slot every
/// 1/<see cref="ReminderEmailOptions.EmailsPerSecond"/> seconds, shared by every shard on the silo. Real time, not the
/// ward clock (<see cref="TimeProvider"/>): it paces an SMTP server, and tests that move the ward clock must not stall it.
/// </summary>
public sealed class ReminderPacer(Microsoft.Extensions.Options.IOptions<ReminderEmailOptions> options)
{
    private readonly Lock _lock = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private TimeSpan _next = TimeSpan.Zero;

    public async Task WaitAsync(CancellationToken cancellationToken = default)
    {
        var interval = TimeSpan.FromSeconds(1 / options.Value.EmailsPerSecond);
        TimeSpan wait;
        lock (_lock)
        {
            var now = _clock.Elapsed;
            var slot = _next > now ? _next : now;
            _next = slot + interval;
            wait = slot - now;
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
