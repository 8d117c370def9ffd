using KeyAgentd.Sync;

namespace KeyAgentd.Tests.Sync;

/// <summary>The write stage's writers: all of them at work from the first file, every account once, and a stop that lets the writes in progress finish.</summary>
public sealed class ParallelismTests
{
    [Fact]
    public void Every_writer_is_at_work_from_the_start_on_a_thread_of_its_own()
    {
        // Each of the first MaxAccountsAtOnce items waits for all the others: only writers started together get past it.
        using var together = new Barrier(Parallelism.MaxAccountsAtOnce);
        int onPoolThreads = 0;
        var met = new bool[Parallelism.MaxAccountsAtOnce];

        Parallelism.RunBlocking(Parallelism.MaxAccountsAtOnce, i =>
        {
            if (Thread.CurrentThread.IsThreadPoolThread)
            {
                Interlocked.Increment(ref onPoolThreads);
            }
            met[i] = together.SignalAndWait(TimeSpan.FromMinutes(2));
        }, CancellationToken.None);

        Assert.All(met, Assert.True);
        Assert.Equal(0, onPoolThreads);
    }

    [Fact]
    public void Every_account_is_written_exactly_once()
    {
        var runs = new int[1000];

        Parallelism.RunBlocking(runs.Length, i => Interlocked.Increment(ref runs[i]), CancellationToken.None);

        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void A_stop_lets_the_writes_in_progress_finish_and_starts_no_more()
    {
        using var stop = new CancellationTokenSource();
        int started = 0, finished = 0;

        Parallelism.RunBlocking(10_000, i =>
        {
            Interlocked.Increment(ref started);
            if (i == 0)
            {
                stop.Cancel();
            }
            Thread.Sleep(1);
            Interlocked.Increment(ref finished);
        }, stop.Token);

        Assert.Equal(started, finished);
        Assert.True(started < 10_000, $"{started} items started after the stop");
    }

    [Fact]
    public void A_failure_is_rethrown_as_itself_and_starts_no_more_items()
    {
        int started = 0;

        var e = Assert.Throws<IOException>(() => Parallelism.RunBlocking(10_000, i =>
        {
            Interlocked.Increment(ref started);
            if (i == 0)
            {
                throw new IOException("disk on fire");
            }
            Thread.Sleep(1);
        }, CancellationToken.None));

        Assert.Equal("disk on fire", e.Message);
        Assert.True(started < 10_000);
    }

    [Fact]
    public void Nothing_to_write_starts_no_writer()
    {
        Parallelism.RunBlocking(0, _ => throw new InvalidOperationException("no item"), CancellationToken.None);
    }
}
