using System.Runtime.ExceptionServices;

namespace KeyAgentd.Sync;

/// <summary>
/// Accounts are independent: reading, planning and writing them side by side lets the filesystem
/// journal commit many fsyncs at once (each written file costs two, plus the cache's two) instead of
/// one commit per fsync, and spreads the parsing over the cores. Callers collect results by index,
/// so the audit log and the summary do not depend on the schedule.
/// </summary>
internal static class Parallelism
{
    /// <summary>
    /// Writers at once. The floor program (bench/floor/write-floor.c) on this kind of disk: 1 / 2 / 4 / 8 / 16
    /// at once is 146.6 / 22.5 / 16.2 / 12.2 / 13.8 s for 10,000 homes; the disk wants 8–16 (docs/benchmarks.md).
    /// </summary>
    public const int MaxAccountsAtOnce = 16;

    /// <summary>Runs body(0..count-1) on the thread pool (reading and planning: CPU and the page cache); a stop request lets started items finish and starts no more.</summary>
    public static void Run(int count, Action<int> body, CancellationToken stopping)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = MaxAccountsAtOnce }, (i, loop) =>
            {
                if (stopping.IsCancellationRequested)
                {
                    loop.Stop();
                    return;
                }
                body(i);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Same exception as a sequential loop would throw (a broken state directory, say).
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    /// <summary>
    /// Runs body(0..count-1) on <see cref="MaxAccountsAtOnce"/> threads of its own, for work that waits on the
    /// disk (the write stage: fsyncs). The thread pool adds a thread for blocked work only every half second or
    /// so, which on two cores kept a 10,000-home first sync at 2–4 writers for most of its run (3× the floor
    /// program, which runs its writers from the start). A stop request lets the writes in progress finish and
    /// starts no more; the first exception stops the others from starting new items and is rethrown.
    /// </summary>
    public static void RunBlocking(int count, Action<int> body, CancellationToken stopping)
    {
        int next = -1;
        ExceptionDispatchInfo? failure = null;
        void Work()
        {
            try
            {
                int i;
                while (Volatile.Read(ref failure) is null && !stopping.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < count)
                {
                    body(i);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            }
        }
        int threads = Math.Min(count, MaxAccountsAtOnce);
        if (threads <= 1)
        {
            Work();
        }
        else
        {
            var started = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                started[t] = new Thread(Work) { IsBackground = true, Name = "keyagentd-write" };
                started[t].Start();
            }
            foreach (var thread in started)
            {
                thread.Join();
            }
        }
        failure?.Throw();
    }
}
