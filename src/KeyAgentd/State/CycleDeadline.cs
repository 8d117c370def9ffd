using KeyAgentd.Configuration;

namespace KeyAgentd.State;

/// <summary>
/// When a running daemon must have completed its next cycle: twice Registry:PollInterval plus
/// Registry:Jitter after the last one ended. Past it the daemon is not syncing (stopped, hung, dead
/// or never started), whatever the last outcome said, so `status` and `doctor` call it stale.
/// </summary>
public static class CycleDeadline
{
    public static TimeSpan Allowance(RegistrySettings registry)
    {
        // Saturating: an absurd interval must not make the status command itself throw.
        long ticks = registry.PollInterval.Ticks > (TimeSpan.MaxValue.Ticks - Math.Max(0, registry.Jitter.Ticks)) / 2
            ? TimeSpan.MaxValue.Ticks
            : 2 * registry.PollInterval.Ticks + Math.Max(0, registry.Jitter.Ticks);
        return TimeSpan.FromTicks(ticks);
    }

    /// <summary>How long past the deadline the last cycle's end is; null when on time or when no cycle has run.</summary>
    public static TimeSpan? Overdue(SyncStatus status, DateTimeOffset now, RegistrySettings registry)
    {
        if (status.LastAttempt is not { } started)
        {
            return null;
        }
        var ended = started + TimeSpan.FromSeconds(Math.Max(0, status.DurationSeconds));
        var allowance = Allowance(registry);
        return now - ended > allowance ? now - ended - allowance : null;
    }

    /// <summary>"1m", "2h30m": a short human span for status lines.</summary>
    public static string Describe(TimeSpan span) => span.TotalSeconds < 120 ? $"{span.TotalSeconds:0}s"
        : span.TotalMinutes < 120 ? $"{span.TotalMinutes:0}m"
        : span.TotalHours < 48 ? $"{span.TotalHours:0}h"
        : $"{span.TotalDays:0}d";
}
