using System.Diagnostics;
using KeyAgentd.Sync;

namespace KeyAgentd.Stress;

/// <summary>Group 4: many accounts × keys, no-change cycles back to back in-process; memory and fds must not grow.</summary>
public static class Load
{
    public static GroupResult Run(Scale scale)
    {
        var result = new GroupResult("load: no-change cycles");
        result.Zero("failed-cycles", "files-rewritten", "fd-growth", "heap-growth-over-8MB");
        using var box = Sandbox.Create("load", scale.LoadAccounts);
        box.WriteRegistry(Sandbox.Registry(1, box.Accounts.Select((a, i) =>
            KeyValuePair.Create(a.Name, (IReadOnlyList<string>)Enumerable.Range(0, scale.LoadKeysPerAccount).Select(k => Keys.Ed25519(i, k, $"k{k}")).ToList()))));
        var (services, engine) = box.Engine(box.Settings());
        using (services)
        {
            var clock = Stopwatch.StartNew();
            var first = engine.RunAsync(new SyncOptions(), CancellationToken.None).GetAwaiter().GetResult();
            var firstTime = clock.Elapsed;
            if (first.Outcome != SyncOutcome.Ok)
            {
                result.Fail("failed-cycles", $"first sync: {SyncSummary.Render(first)}");
            }
            // Warm up a few no-change cycles so JIT, thread-pool threads and caches are not counted as growth.
            for (int i = 0; i < 3; i++)
            {
                engine.RunAsync(new SyncOptions(), CancellationToken.None).GetAwaiter().GetResult();
            }
            var (rssStart, heapStart, fdStart) = Measure();
            clock.Restart();
            int cycles = 0;
            while (cycles < scale.LoadCycles && clock.Elapsed < scale.LoadBudget)
            {
                var r = engine.RunAsync(new SyncOptions(), CancellationToken.None).GetAwaiter().GetResult();
                cycles++;
                if (r.Outcome != SyncOutcome.Ok)
                {
                    result.Fail("failed-cycles", SyncSummary.Render(r));
                }
                if (r.Counts.Written != 0)
                {
                    result.Fail("files-rewritten", SyncSummary.Render(r));
                }
            }
            var elapsed = clock.Elapsed;
            var (rssEnd, heapEnd, fdEnd) = Measure();
            result.Cases = cycles;
            if (fdEnd > fdStart)
            {
                result.Fail("fd-growth", $"{fdStart} → {fdEnd}");
            }
            // A leak is live objects that pile up: the managed heap after a full compacting GC. RSS is
            // reported too, but the GC keeps memory it has committed, so RSS alone overstates growth.
            if (heapEnd - heapStart > 8L << 20)
            {
                result.Fail("heap-growth-over-8MB", $"{heapStart >> 10} kB → {heapEnd >> 10} kB");
            }
            string budget = cycles < scale.LoadCycles ? $" (time budget {scale.LoadBudget.TotalSeconds:F0} s reached before {scale.LoadCycles})" : "";
            result.Note($"{scale.LoadAccounts} accounts × {scale.LoadKeysPerAccount} keys: first sync {firstTime.TotalSeconds:F1} s; {cycles} no-change cycles{budget}, {elapsed.TotalMilliseconds / Math.Max(1, cycles):F0} ms each");
            result.Note($"after forced GC: managed heap {heapStart >> 10} kB → {heapEnd >> 10} kB, VmRSS {rssStart} kB → {rssEnd} kB, fds {fdStart} → {fdEnd}");
        }
        return result;
    }

    private static (long RssKb, long HeapBytes, int Fds) Measure()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        long rss = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line[6..].Trim().Split(' ')[0]);
            }
        }
        return (rss, GC.GetTotalMemory(forceFullCollection: true), Directory.GetFiles("/proc/self/fd").Length);
    }
}
