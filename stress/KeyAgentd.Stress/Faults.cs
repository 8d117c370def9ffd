using System.Diagnostics;
using KeyAgentd.Accounts;

namespace KeyAgentd.Stress;

/// <summary>Group 3: SIGKILL mid-sync, ENOSPC, registry outages.</summary>
public static partial class Faults
{
    private static List<string> Version(int account, int version) =>
        Enumerable.Range(0, 3).Select(k => Keys.Ed25519(account, version * 10 + k, $"k{k}v{version}")).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The published `keyagentd sync` on N sandbox accounts, killed with SIGKILL at a random moment,
    /// again and again, the registry alternating between two versions of every account's keys.
    /// </summary>
    public static GroupResult SigKill(Scale scale, string bin)
    {
        var result = new GroupResult("faults: SIGKILL sync");
        result.Zero("partial-files", "missing-files", "not-completed-after-restart");
        if (!File.Exists(bin))
        {
            result.Fail("not-completed-after-restart", $"{bin} not found: run make publish");
            return result;
        }
        using var box = Sandbox.Create("kill", scale.KillAccounts);
        var versions = new[] { 0, 1 }.Select(v => box.Accounts.Select((a, i) => Version(i, v)).ToList()).ToArray();
        byte[] Registry(int v, long serial) => Sandbox.Registry(serial, box.Accounts.Select((a, i) => KeyValuePair.Create(a.Name, (IReadOnlyList<string>)versions[v][i])));
        box.WriteRegistry(Registry(0, 1));
        var cleanClock = Stopwatch.StartNew();
        int first = RunSync(box, bin, killAfter: null);
        // Kill anywhere from start-up to the end of a full cycle, so kills land in the write phase too.
        int window = Math.Max(200, (int)(cleanClock.Elapsed.TotalMilliseconds * 1.1));
        if (first != 0)
        {
            result.Fail("not-completed-after-restart", $"initial sync exit {first}");
            return result;
        }
        var rng = new Random(99);
        int midWrite = 0;
        int target = 0;
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < scale.Kills; k++)
        {
            if (k % 3 == 0)
            {
                target ^= 1;
                box.WriteRegistry(Registry(target, 2 + k));
            }
            int exit = RunSync(box, bin, killAfter: TimeSpan.FromMilliseconds(rng.Next(80, window)));
            result.Cases++;
            int changedOld = 0, changedNew = 0;
            for (int i = 0; i < box.Accounts.Count; i++)
            {
                var lines = Sandbox.KeyLines(box.KeyFile(box.Accounts[i]));
                if (lines is null)
                {
                    result.Fail("missing-files", $"kill {k}: {box.Accounts[i].Name}");
                }
                else if (lines.SequenceEqual(versions[target][i]))
                {
                    changedNew++;
                }
                else if (lines.SequenceEqual(versions[target ^ 1][i]))
                {
                    changedOld++;
                }
                else
                {
                    result.Fail("partial-files", $"kill {k}: {box.Accounts[i].Name} holds {lines.Count} lines matching neither version");
                }
            }
            if (exit == -9 && changedOld > 0 && changedNew > 0)
            {
                midWrite++;
            }
        }
        int last = RunSync(box, bin, killAfter: null);
        for (int i = 0; i < box.Accounts.Count; i++)
        {
            if (!(Sandbox.KeyLines(box.KeyFile(box.Accounts[i])) ?? []).SequenceEqual(versions[target][i]))
            {
                result.Fail("not-completed-after-restart", $"{box.Accounts[i].Name} after the final sync (exit {last})");
            }
        }
        result.Note($"{scale.Kills} SIGKILLs of `keyagentd sync` over {scale.KillAccounts} accounts in {clock.Elapsed.TotalSeconds:F0} s; {midWrite} landed mid-cycle (some files old, some new); final sync exit {last}");
        return result;
    }

    /// <summary>Runs the published binary; kills it after the delay. Returns the exit code, or -9 when killed.</summary>
    private static int RunSync(Sandbox box, string bin, TimeSpan? killAfter)
    {
        var info = new ProcessStartInfo(bin) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "sync", "--config", Path.Combine(box.Root, "config.json"), "--registry", "file://" + box.RegistryFile, "--state-dir", box.StateDir, "--passwd-file", box.PasswdFile })
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["KEYAGENTD_Audit__Path"] = box.AuditFile;
        info.Environment["KEYAGENTD_Safety__MaxRemovalPercent"] = "100";
        if (!File.Exists(Path.Combine(box.Root, "config.json")))
        {
            File.WriteAllText(Path.Combine(box.Root, "config.json"), "{}");
        }
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (killAfter is { } delay && !p.WaitForExit(delay))
        {
            p.Kill();
            p.WaitForExit();
            return -9;
        }
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            Console.WriteLine($"   sync exit {p.ExitCode}: {stdout.Result.Trim()} {stderr.Result.Trim()}");
        }
        return p.ExitCode;
    }

    internal static string Describe(AccountInfo a) => a.Name;
}
