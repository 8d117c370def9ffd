using System.Diagnostics;
using KeyAgentd.Sync;

namespace KeyAgentd.Stress;

public static partial class RegistryCorpus
{
    /// <summary>All distinct accepted lines in one file; ssh-keygen -l must print one line for each.</summary>
    private static void SshKeygenCheck(GroupResult result, HashSet<string> accepted)
    {
        string file = Path.Combine(Path.GetTempPath(), $"keyagentd-stress-accepted-{Environment.ProcessId}");
        File.WriteAllLines(file, accepted);
        try
        {
            var info = new ProcessStartInfo("ssh-keygen") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in new[] { "-l", "-f", file })
            {
                info.ArgumentList.Add(a);
            }
            using var p = Process.Start(info)!;
            var stderr = p.StandardError.ReadToEndAsync();
            int lines = 0;
            while (p.StandardOutput.ReadLine() is not null)
            {
                lines++;
            }
            p.WaitForExit();
            if (lines != accepted.Count)
            {
                result.Fail("ssh-keygen-rejects", $"{accepted.Count - lines} of {accepted.Count} accepted lines not read by ssh-keygen -l ({stderr.Result.Trim()})");
                if (lines < accepted.Count)
                {
                    // Name them one by one (slow, but only on failure).
                    foreach (string line in accepted.Take(2000))
                    {
                        File.WriteAllText(file, line + "\n");
                        using var one = Process.Start(new ProcessStartInfo("ssh-keygen", ["-l", "-f", file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                        one.WaitForExit();
                        if (one.ExitCode != 0 && result.Examples.Count < 10)
                        {
                            result.Examples.Add("ssh-keygen rejects: " + KeyAgentd.Core.SafeText.Escape(line, 120));
                        }
                    }
                }
            }
            result.Note($"ssh-keygen -l read {lines} of {accepted.Count} distinct accepted lines");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A sample of valid-but-hostile snapshots through the real SyncEngine on a sandbox host.</summary>
    private static void SyncSample(GroupResult result, List<byte[]> sample, HashSet<string> accepted)
    {
        using var box = Sandbox.Create("corpus", 0, names: Mutations.AccountNames);
        int ok = 0;
        foreach (byte[] input in sample)
        {
            foreach (var a in box.Accounts)
            {
                Fs.RemoveTree(Path.Combine(a.Home, ".ssh"));
            }
            Fs.RemoveTree(box.StateDir);
            Directory.CreateDirectory(box.StateDir);
            box.WriteRegistry(input);
            var (services, engine) = box.Engine(box.Settings());
            using (services)
            {
                try
                {
                    var r = engine.RunAsync(new SyncOptions(), CancellationToken.None).GetAwaiter().GetResult();
                    if (r.Outcome == SyncOutcome.Ok)
                    {
                        ok++;
                    }
                }
                catch (Exception e)
                {
                    result.Fail("sync-crashes", $"{e.GetType().Name}: {e.Message}");
                }
            }
            foreach (var a in box.Accounts)
            {
                foreach (string line in Sandbox.KeyLines(box.KeyFile(a)) ?? [])
                {
                    if (!accepted.Contains(line) || line.Any(KeyAgentd.Core.SafeText.IsControl))
                    {
                        result.Fail("sync-bad-lines", $"{a.Name}: {KeyAgentd.Core.SafeText.Escape(line, 80)}");
                    }
                }
            }
        }
        result.Note($"{sample.Count} sampled snapshots through the real SyncEngine ({ok} exit 0); every written line was in the accepted set");
    }
}
