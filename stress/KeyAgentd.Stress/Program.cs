using System.Diagnostics;
using KeyAgentd.Stress;

// keyagentd stress: hostile filesystem, hostile registry input, faults, load. One summary table.
// Usage: KeyAgentd.Stress --full|--short [--bin out/bin/keyagentd] [--only group,group]
bool full = args.Contains("--full");
string mode = full ? "full" : "short";
string bin = ArgValue("--bin") ?? Path.GetFullPath("out/bin/keyagentd");
string[] only = (ArgValue("--only") ?? "fs,registry,faults,load").Split(',');
var scale = full ? Scale.Full : Scale.Short;

if (Mono.Unix.Native.Syscall.geteuid() != 0)
{
    Console.WriteLine("SKIP: the stress run needs root (real accounts, chown, mount)");
    return 77;
}

var clock = Stopwatch.StartNew();
var groups = new List<GroupResult>();
void Run(string key, Func<GroupResult> group)
{
    if (!only.Contains(key))
    {
        return;
    }
    var started = Stopwatch.StartNew();
    Console.WriteLine($"-- {key} ...");
    GroupResult[] results;
    try
    {
        results = [group()];
    }
    catch (Exception e)
    {
        var crashed = new GroupResult(key);
        crashed.Fail("harness-crash", e.ToString());
        results = [crashed];
    }
    foreach (var r in results)
    {
        r.Note($"took {started.Elapsed.TotalSeconds:F1} s");
        groups.Add(r);
        Console.WriteLine($"   {r.Name}: {r.Cases} cases, {r.Failures} failures, {started.Elapsed.TotalSeconds:F0} s; {string.Join("; ", r.Notes)}");
    }
}

Run("fs", () => HostileFilesystem.Run(scale));
Run("fs", () => HostileFilesystem.Race(scale));
Run("registry", () => RegistryCorpus.Run(scale));
Run("faults", () => Faults.SigKill(scale, bin));
Run("faults", () => Faults.DiskFull(scale));
Run("faults", () => Faults.Outages(scale));
Run("load", () => Load.Run(scale));

Report.Print(groups, clock.Elapsed, mode);
return groups.Sum(g => g.Failures) == 0 ? 0 : 1;

string? ArgValue(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
