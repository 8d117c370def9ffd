using KeyAgentd.Sync;

namespace KeyAgentd.Stress;

public static partial class Faults
{
    /// <summary>Homes on a tiny tmpfs filled to the brim: every sync fails per account, old files stay whole.</summary>
    public static GroupResult DiskFull(Scale scale)
    {
        var result = new GroupResult("faults: ENOSPC");
        result.Zero("old-files-damaged", "crashes", "not-recovered");
        string root = Sandbox.NewRoot("enospc");
        string homes = Path.Combine(root, "homes");
        Directory.CreateDirectory(homes);
        try
        {
            RealAccount.Run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", homes);
        }
        catch (InvalidOperationException e)
        {
            result.Note("SKIPPED: " + e.Message.Trim());
            Fs.RemoveTree(root);
            return result;
        }
        try
        {
            using var box = Sandbox.Create("enospc-box", 5, homeBase: homes);
            var old = box.Accounts.Select((a, i) => Version(i, 0)).ToList();
            box.WriteRegistry(Sandbox.Registry(1, box.Accounts.Select((a, i) => KeyValuePair.Create(a.Name, (IReadOnlyList<string>)old[i]))));
            var initial = Sync(box);
            if (initial.Outcome != SyncOutcome.Ok)
            {
                result.Fail("not-recovered", "initial sync: " + SyncSummary.Render(initial));
            }
            int rounds = scale == Scale.Full ? 20 : 4;
            for (int r = 0; r < rounds; r++)
            {
                // Fill the tmpfs, leaving a few bytes to a few KB so the failure lands at different syscalls.
                string filler = Path.Combine(homes, "filler");
                Fill(filler, leave: r % 4 * 1500);
                var big = box.Accounts.Select((a, i) => Enumerable.Range(0, 60).Select(k => Keys.Ed25519(i, 1000 + r * 100 + k, $"big{r}-{k}")).Order(StringComparer.Ordinal).ToList()).ToList();
                box.WriteRegistry(Sandbox.Registry(2 + r, box.Accounts.Select((a, i) => KeyValuePair.Create(a.Name, (IReadOnlyList<string>)big[i]))));
                result.Cases++;
                try
                {
                    Sync(box);
                }
                catch (Exception e)
                {
                    result.Fail("crashes", $"{e.GetType().Name}: {e.Message}");
                }
                for (int i = 0; i < box.Accounts.Count; i++)
                {
                    var lines = Sandbox.KeyLines(box.KeyFile(box.Accounts[i]));
                    if (lines is null || (!lines.SequenceEqual(old[i]) && !lines.SequenceEqual(big[i])))
                    {
                        result.Fail("old-files-damaged", $"round {r}: {box.Accounts[i].Name}");
                    }
                }
                File.Delete(filler);
                Sync(box);
                for (int i = 0; i < box.Accounts.Count; i++)
                {
                    if (!(Sandbox.KeyLines(box.KeyFile(box.Accounts[i])) ?? []).SequenceEqual(big[i]))
                    {
                        result.Fail("not-recovered", $"round {r}: {box.Accounts[i].Name} after space came back");
                    }
                }
                old = big;
            }
            result.Note($"{rounds} rounds × {box.Accounts.Count} accounts on a full 2 MB tmpfs; after freeing space the next sync completed");
        }
        finally
        {
            RealAccount.Run("umount", homes);
            Fs.RemoveTree(root);
        }
        return result;
    }

    private static void Fill(string path, int leave)
    {
        using var stream = new FileStream(path, FileMode.Create);
        byte[] chunk = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(chunk);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // Full.
        }
        stream.SetLength(Math.Max(0, stream.Length - leave));
    }

    private static SyncResult Sync(Sandbox box, double maxRemovalPercent = 100)
    {
        var (services, engine) = box.Engine(box.Settings(maxRemovalPercent));
        using (services)
        {
            return engine.RunAsync(new SyncOptions(), CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}
