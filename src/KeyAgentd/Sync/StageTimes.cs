using System.Diagnostics;

namespace KeyAgentd.Sync;

/// <summary>
/// Where a cycle's time went, stage by stage (seconds, in the order the stages ran), kept in status.json so an
/// operator or a benchmark can see which stage a slow cycle spent its time in without a profiler.
/// </summary>
internal sealed class StageTimes
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last;

    public Dictionary<string, double> Seconds { get; } = new(StringComparer.Ordinal);

    /// <summary>The stage that just ended, timed from the end of the one before it.</summary>
    public void Ended(string stage)
    {
        var now = _clock.Elapsed;
        Seconds[stage] = Math.Round((now - _last).TotalSeconds, 4);
        _last = now;
    }
}
