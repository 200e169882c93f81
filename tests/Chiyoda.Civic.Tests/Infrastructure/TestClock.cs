using System.Collections.Concurrent;
using System.Diagnostics;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The test silos' clock: it starts at a fixed date and runs at real speed, and a test may push it forward
/// (<see cref="Advance"/>), which brings every timer's due time nearer by as much.
/// </summary>
/// <remarks>
/// Not a <c>FakeTimeProvider</c>: Orleans 10 takes the silo's <see cref="TimeProvider"/> for its own waits too (response
/// time-outs of grain-to-grain calls, directory and reminder-service retries, activation collection). On a frozen clock a
/// grain call whose answer was lost while a fresh silo started under load never timed out, and the calling grain stayed
/// blocked: seen in CI as a status change that got no answer in 3 × 50 s. Here time always moves, so Orleans' own
/// waits end, and tests still jump over edit windows, retry delays and reminder periods.
/// </remarks>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly ConcurrentDictionary<ClockTimer, byte> _timers = new();
    private long _advancedTicks;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() => Stopwatch.GetTimestamp() + ToTimestampTicks(TimeSpan.FromTicks(Interlocked.Read(ref _advancedTicks)));

    public override DateTimeOffset GetUtcNow() => start.ToUniversalTime() + GetElapsedTime(_startTimestamp, GetTimestamp());

    /// <summary>Moves the clock forward; timers whose due time is passed fire now (on the thread pool).</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _advancedTicks, by.Ticks);
        foreach (var timer in _timers.Keys)
        {
            timer.Rearm();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ClockTimer(this, callback, state);
        _timers.TryAdd(timer, 0);
        timer.Change(dueTime, period);
        return timer;
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.Ticks * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond);

    private sealed class ClockTimer : ITimer
    {
        private readonly TestClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly Timer _timer;
        private readonly Lock _gate = new();
        private long _dueAt = -1;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public ClockTimer(TestClock clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
            // Like TimeProvider.System's timers, the callback does not run in the creator's execution context.
            using (ExecutionContext.SuppressFlow())
            {
                _timer = new Timer(_ => Elapsed());
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                _period = period;
                _dueAt = dueTime == Timeout.InfiniteTimeSpan ? -1 : _clock.GetTimestamp() + _clock.ToTimestampTicks(dueTime);
                ArmLocked();
                return true;
            }
        }

        public void Rearm()
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    ArmLocked();
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _dueAt = -1;
            }

            _timer.Dispose();
            _clock._timers.TryRemove(this, out _);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void ArmLocked()
        {
            if (_dueAt < 0)
            {
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
                return;
            }

            var remaining = _clock.GetElapsedTime(_clock.GetTimestamp(), _dueAt);
            _timer.Change(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        private void Elapsed()
        {
            lock (_gate)
            {
                if (_disposed || _dueAt < 0)
                {
                    return;
                }

                var now = _clock.GetTimestamp();
                if (now < _dueAt)
                {
                    // Woken early (the clock was moved since it was armed): sleep for the rest.
                    ArmLocked();
                    return;
                }

                _dueAt = _period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero ? -1 : now + _clock.ToTimestampTicks(_period);
                ArmLocked();
            }

            _callback(_state);
        }
    }
}
