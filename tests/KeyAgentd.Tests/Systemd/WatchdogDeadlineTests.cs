using KeyAgentd.Systemd;

namespace KeyAgentd.Tests.Systemd;

/// <summary>When the daemon stops earning WATCHDOG=1, on a monotonic clock the test moves by hand.</summary>
public class WatchdogDeadlineTests
{
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void Pings_every_half_timeout_and_gives_a_cycle_half_the_timeout()
    {
        var deadline = new WatchdogDeadline(Timeout, new SteppedClock());
        Assert.Equal(TimeSpan.FromSeconds(150), deadline.PingInterval);
        Assert.Equal(TimeSpan.FromSeconds(150), deadline.CycleBudget);
    }

    [Fact]
    public void A_cycle_within_its_budget_keeps_pinging()
    {
        var clock = new SteppedClock();
        var deadline = new WatchdogDeadline(Timeout, clock);
        deadline.BeginCycle();
        clock.Advance(TimeSpan.FromSeconds(149));
        Assert.True(deadline.ShouldPing());
    }

    [Fact]
    public void A_cycle_past_its_budget_stops_the_pings_until_the_next_cycle()
    {
        var clock = new SteppedClock();
        var deadline = new WatchdogDeadline(Timeout, clock);
        deadline.BeginCycle();
        clock.Advance(TimeSpan.FromSeconds(150));
        Assert.False(deadline.ShouldPing());
        clock.Advance(TimeSpan.FromHours(1));
        Assert.False(deadline.ShouldPing());
        Assert.Equal(TimeSpan.FromSeconds(3750), deadline.SinceCycleStart());

        deadline.BeginCycle();
        Assert.True(deadline.ShouldPing());
        Assert.Equal(TimeSpan.Zero, deadline.SinceCycleStart());
    }

    [Fact]
    public void The_first_cycle_is_armed_at_construction()
    {
        var clock = new SteppedClock();
        var deadline = new WatchdogDeadline(Timeout, clock);
        Assert.True(deadline.ShouldPing());
        clock.Advance(TimeSpan.FromSeconds(151));
        Assert.False(deadline.ShouldPing());
    }

    [Fact]
    public void Idle_until_the_next_poll_plus_the_budget()
    {
        var clock = new SteppedClock();
        var deadline = new WatchdogDeadline(Timeout, clock);
        deadline.Idle(TimeSpan.FromMinutes(60));
        clock.Advance(TimeSpan.FromMinutes(62));
        Assert.True(deadline.ShouldPing());
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(deadline.ShouldPing());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(37)]
    [InlineData(149)]
    public void A_hung_cycle_is_killed_between_one_and_one_and_a_half_timeouts_after_it_began(int startSeconds)
    {
        // The pinger ticks every PingInterval from construction; the cycle pings when it begins and
        // then hangs; systemd kills at the last ping plus the timeout.
        var clock = new SteppedClock();
        var deadline = new WatchdogDeadline(Timeout, clock);
        var start = TimeSpan.FromSeconds(startSeconds);
        clock.Advance(start);
        deadline.BeginCycle();
        var lastPing = start;
        var now = start;
        for (var tick = deadline.PingInterval; tick < TimeSpan.FromHours(1); tick += deadline.PingInterval)
        {
            clock.Advance(tick - now);
            now = tick;
            if (deadline.ShouldPing())
            {
                lastPing = tick;
            }
        }
        Assert.InRange(lastPing + Timeout - start, Timeout, Timeout * 1.5);
    }

    [Fact]
    public void Rejects_a_non_positive_timeout() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WatchdogDeadline(TimeSpan.Zero, new SteppedClock()));
}
