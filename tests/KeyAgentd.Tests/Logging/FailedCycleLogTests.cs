using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KeyAgentd.State;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.Logging;

/// <summary>
/// What an operator reads when the registry is down: the real `keyagentd` against
/// a closed port. One warning line per failed cycle with its reason code and what to check; the
/// retries and the HTTP/resilience libraries' events stay at debug; no stack trace; nothing at error.
/// </summary>
public class FailedCycleLogTests
{

    /// <summary>A port nothing listens on: bound, read, released.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A signed setup (allowed_signers present, enforce), so the only thing wrong is the registry being down.</summary>
    private static string Config(EngineSandbox box)
    {
        string allowed = Path.Combine(box.Root, "allowed_signers");
        File.WriteAllText(allowed, RegistrySigner.Get("logs-signer").AllowedLine("ops@example.com") + "\n");
        string config = Path.Combine(box.Root, "keyagentd.json");
        File.WriteAllText(config, $$"""
            {
              "Registry": { "Url": "http://127.0.0.1:{{ClosedPort()}}/keys.json", "Signatures": "enforce", "AllowedSignersFile": "{{allowed}}",
                            "PollInterval": "01:00:00", "Jitter": "00:00:00", "Timeout": "00:00:02" },
              "Accounts": { "PasswdFile": "{{box.PasswdPath}}", "Mode": "exclusive" },
              "State":    { "Directory": "{{box.Settings.State.Directory}}" },
              "Audit":    { "Path": "{{box.Settings.Audit.Path}}" }
            }
            """);
        return config;
    }

    private static ProcessStartInfo Start(string config, string command, bool journal)
    {
        // keyagentd.dll as built beside the tests, resolved through the tests' dependency list.
        string bin = AppContext.BaseDirectory;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["exec", "--runtimeconfig", Path.Combine(bin, "KeyAgentd.Tests.runtimeconfig.json"),
            "--depsfile", Path.Combine(bin, "KeyAgentd.Tests.deps.json"), Path.Combine(bin, "keyagentd.dll")])
        {
            info.ArgumentList.Add(arg);
        }
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        info.ArgumentList.Add(command);
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        info.Environment.Remove("WATCHDOG_PID");
        if (journal)
        {
            info.Environment["JOURNAL_STREAM"] = "8:12345";
        }
        else
        {
            info.Environment.Remove("JOURNAL_STREAM");
        }
        return info;
    }

    /// <param name="lines">How many lines the run may write in all: the cycle's warning and, in the daemon, its info lines.</param>
    private static void AssertOneWarningNoTrace(string output, int lines, Func<string, bool> isWarning, Func<string, bool> isErrorOrWorse)
    {
        string[] all = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int frames = all.Count(l => l.StartsWith("   at ", StringComparison.Ordinal));
        int errors = all.Count(isErrorOrWorse);
        var warnings = all.Where(isWarning).ToArray();
        Assert.True(frames == 0 && errors == 0 && warnings.Length == 1,
            $"{all.Length} line(s): {frames} stack-trace line(s), {errors} at error or above, {warnings.Length} warning(s):\n{string.Join('\n', all.Where(l => !l.StartsWith("   at ", StringComparison.Ordinal)))}");
        Assert.True(all.Length <= lines, $"{all.Length} line(s), at most {lines} expected:\n{output}");
        string warning = warnings[0];
        Assert.Contains("unreachable", warning, StringComparison.Ordinal);
        Assert.Contains("Connection refused", warning, StringComparison.Ordinal);
        Assert.Contains("check ", warning, StringComparison.Ordinal);
        Assert.Contains("Registry:Url", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_against_a_down_registry_prints_one_warning_and_no_stack_trace()
    {
        using var box = new EngineSandbox(["alice"]);
        using var sync = Process.Start(Start(Config(box), "sync", journal: false))!;
        var stdout = sync.StandardOutput.ReadToEndAsync();
        string stderr = await sync.StandardError.ReadToEndAsync();
        Assert.True(sync.WaitForExit(TimeSpan.FromSeconds(120)), "sync did not finish");

        Assert.True(sync.ExitCode == 3, $"exit {sync.ExitCode}: {stderr}");
        AssertOneWarningNoTrace(stderr, 1,
            l => l.Contains("[WRN]", StringComparison.Ordinal),
            l => l.Contains("[ERR]", StringComparison.Ordinal) || l.Contains("[FTL]", StringComparison.Ordinal));
        Assert.Contains("unreachable", await stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daemon_cycle_against_a_down_registry_writes_one_warning_and_nothing_at_err_to_the_journal()
    {
        using var box = new EngineSandbox(["alice"]);
        string status = Path.Combine(box.Settings.State.Directory, StateStore.StatusFileName);
        using var daemon = Process.Start(Start(Config(box), "run", journal: true))!;
        var stdout = daemon.StandardOutput.ReadToEndAsync();
        var stderr = daemon.StandardError.ReadToEndAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(status) && clock.Elapsed < TimeSpan.FromSeconds(120) && !daemon.HasExited)
            {
                await Task.Delay(100);
            }
            Assert.True(File.Exists(status), daemon.HasExited ? $"exited {daemon.ExitCode}: {await stdout}{await stderr}" : "the first cycle did not finish");
            Assert.Equal(0, Mono.Unix.Native.Syscall.kill(daemon.Id, Mono.Unix.Native.Signum.SIGTERM));
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(60)), "SIGTERM did not stop it");
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }
        }

        string journal = await stdout + await stderr;
        // sd-daemon(3) prefixes: <0>..<3> are what `journalctl -p err` shows, <4> warning. Four lines at
        // most: the settings in effect (once per start), the warning, the empty KRL written (once, while
        // no snapshot was ever usable) and the cycle's info line.
        AssertOneWarningNoTrace(journal, 4,
            l => l.StartsWith("<4>", StringComparison.Ordinal),
            l => l.Length > 2 && l[0] == '<' && l[1] is >= '0' and <= '3' && l[2] == '>');
    }

    /// <summary>A state directory whose last-known-good snapshot is damaged, under Signatures off (read as it is, not first refused as unverified).</summary>
    private static string DamagedSnapshotConfig(EngineSandbox box)
    {
        string config = Config(box);
        Directory.CreateDirectory(box.Settings.State.Directory);
        string snapshot = Path.Combine(box.Settings.State.Directory, StateStore.SnapshotFileName);
        File.WriteAllText(snapshot, "not json");
        TestAccount.Chmod(snapshot, 0x180);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"enforce\"", "\"off\"", StringComparison.Ordinal));
        return config;
    }

    /// <summary>A damaged state file is the world's doing, not a bug: the line that names it, and no stack trace.</summary>
    [Fact]
    public async Task Sync_with_a_damaged_state_file_fails_in_one_line_without_a_stack_trace()
    {
        using var box = new EngineSandbox(["alice"]);
        using var sync = Process.Start(Start(DamagedSnapshotConfig(box), "sync", journal: false))!;
        var stdout = sync.StandardOutput.ReadToEndAsync();
        string stderr = await sync.StandardError.ReadToEndAsync();
        Assert.True(sync.WaitForExit(TimeSpan.FromSeconds(120)), "sync did not finish");
        await stdout;

        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(!lines.Any(l => l.StartsWith("   at ", StringComparison.Ordinal)) && !stderr.Contains("Unhandled exception", StringComparison.Ordinal),
            $"exit {sync.ExitCode}:\n{stderr}");
        var failure = Assert.Single(lines, l => l.Contains("snapshot.json no longer parses", StringComparison.Ordinal));
        Assert.Contains("files left as they were", failure, StringComparison.Ordinal);
        Assert.Equal(1, sync.ExitCode);
    }

    [Fact]
    public async Task Daemon_with_a_damaged_state_file_logs_one_error_line_without_a_stack_trace()
    {
        using var box = new EngineSandbox(["alice"]);
        var journal = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var daemon = new Process { StartInfo = Start(DamagedSnapshotConfig(box), "run", journal: true) };
        daemon.OutputDataReceived += (_, e) => journal.Enqueue(e.Data ?? "");
        daemon.ErrorDataReceived += (_, e) => journal.Enqueue(e.Data ?? "");
        daemon.Start();
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!journal.Any(l => l.Contains("sync cycle failed", StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(120) && !daemon.HasExited)
            {
                await Task.Delay(100);
            }
            await Task.Delay(500);
            Assert.Equal(0, Mono.Unix.Native.Syscall.kill(daemon.Id, Mono.Unix.Native.Signum.SIGTERM));
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(60)), "SIGTERM did not stop it");
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }
        }

        string[] lines = [.. journal.Where(l => l.Length > 0)];
        Assert.True(!lines.Any(l => l.StartsWith("   at ", StringComparison.Ordinal)), string.Join('\n', lines));
        var failure = Assert.Single(lines, l => l.StartsWith("<3>", StringComparison.Ordinal));
        Assert.Contains("sync cycle failed; files left as they were:", failure, StringComparison.Ordinal);
        Assert.Contains("snapshot.json no longer parses", failure, StringComparison.Ordinal);
    }
}
