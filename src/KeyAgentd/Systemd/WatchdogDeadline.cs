namespace KeyAgentd.Systemd;

/// <summary>
/// Decides whether the daemon still earns its WATCHDOG=1 pings. The worker states what it expects to
/// happen next (a cycle has begun; it is idle until the next poll), each with a deadline; pings stop
/// once a deadline passes, so a cycle hung on a dead NFS home, a registry socket that never answers or
/// a deadlock is ended by systemd (WatchdogSec, then Restart=on-failure) instead of looking healthy.
/// </summary>
/// <remarks>
/// With the watchdog timeout W (WATCHDOG_USEC), pings go out every W/2 and a cycle gets
/// <see cref="CycleBudget"/> = W/2 of pings: the last ping of a hung cycle falls in its first W/2, so
/// systemd kills the daemon between W and 1.5 W after the cycle began, and a cycle shorter than W is
/// never killed. Time comes from a monotonic <see cref="TimeProvider"/> timestamp, so clock steps do
/// not matter.
/// </remarks>
public sealed class WatchdogDeadline
{
    private readonly TimeProvider _time;
    private long _deadline;
    private long _cycleStart;

    public WatchdogDeadline(TimeSpan watchdogTimeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(watchdogTimeout, TimeSpan.Zero);
        _time = time;
        PingInterval = watchdogTimeout / 2;
        CycleBudget = watchdogTimeout / 2;
        BeginCycle();
    }

    /// <summary>How often to ping while healthy: half the timeout, as sd_watchdog_enabled(3) recommends.</summary>
    public TimeSpan PingInterval { get; }

    /// <summary>How long a cycle (or an overdue idle loop) keeps earning pings.</summary>
    public TimeSpan CycleBudget { get; }

    /// <summary>A cycle starts now; it must finish within <see cref="CycleBudget"/>.</summary>
    public void BeginCycle()
    {
        long now = _time.GetTimestamp();
        Volatile.Write(ref _cycleStart, now);
        Volatile.Write(ref _deadline, now + ToTicks(CycleBudget));
    }

    /// <summary>The worker waits up to <paramref name="wait"/> for the next cycle; the loop must be back by then (plus the budget).</summary>
    public void Idle(TimeSpan wait)
    {
        long now = _time.GetTimestamp();
        Volatile.Write(ref _deadline, now + ToTicks(wait + CycleBudget));
    }

    /// <summary>True while the current deadline has not passed.</summary>
    public bool ShouldPing() => _time.GetTimestamp() < Volatile.Read(ref _deadline);

    /// <summary>How long the most recent cycle has been running (or ran), for the log line when pings stop.</summary>
    public TimeSpan SinceCycleStart() => _time.GetElapsedTime(Volatile.Read(ref _cycleStart));

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
