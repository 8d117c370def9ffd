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
    public const int MaxAccountsAtOnce = 16;

    /// <summary>Runs body(0..count-1); a stop request lets started items finish and starts no more.</summary>
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
}
