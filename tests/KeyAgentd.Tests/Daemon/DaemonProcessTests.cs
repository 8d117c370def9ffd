using System.Diagnostics;
using System.Text;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.Daemon;

/// <summary>Runs when `make publish` has produced out/bin/keyagentd; says why it skipped otherwise.</summary>
public sealed class PublishedBinaryFactAttribute : FactAttribute
{
    public PublishedBinaryFactAttribute()
    {
        if (DaemonProcessTests.Binary() is null)
        {
            Skip = "out/bin/keyagentd not found: run `make publish` first";
        }
    }
}

/// <summary>`keyagentd run` as a process: SIGHUP syncs now, SIGTERM stops cleanly, sd_notify and journald lines.</summary>
[Trait("Category", "Integration")]
public class DaemonProcessTests
{
    private static readonly string AliceA = SshKeygen.Generate("ed25519", comment: "alice-a");
    private static readonly string AliceB = SshKeygen.Generate("ed25519", comment: "alice-b", cached: false);

    internal static string? Binary()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "out", "bin", "keyagentd");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string Registry(long serial, params string[] aliceKeys) => EngineSandbox.Registry(serial, new()
    {
        ["alice"] = [.. aliceKeys.Select(k => (System.Text.Json.Nodes.JsonNode)EngineSandbox.Key(k, "alice@example.com"))],
    });

    private static Process Start(EngineSandbox box, Dictionary<string, string>? env = null)
    {
        string config = Path.Combine(box.Root, "keyagentd.json");
        File.WriteAllText(config, $$"""
            {
              "Registry": { "Url": "file://{{box.RegistryPath}}", "PollInterval": "01:00:00", "Jitter": "00:00:00" },
              "Accounts": { "PasswdFile": "{{box.PasswdPath}}", "Mode": "exclusive" },
              "State":    { "Directory": "{{box.Settings.State.Directory}}" },
              "Audit":    { "Path": "{{box.Settings.Audit.Path}}" },
              "Metrics":  { "TextfilePath": "{{box.Settings.Metrics.TextfilePath}}" }
            }
            """);
        var info = new ProcessStartInfo(Binary()!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        info.ArgumentList.Add("run");
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("JOURNAL_STREAM");
        info.Environment.Remove("WATCHDOG_USEC");
        info.Environment.Remove("WATCHDOG_PID");
        foreach (var (k, v) in env ?? [])
        {
            info.Environment[k] = v;
        }
        return Process.Start(info)!;
    }

    private static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }
            Thread.Sleep(50);
        }
        return condition();
    }

    private static bool Has(EngineSandbox box, string comment) =>
        File.Exists(box.KeysPath("alice")) && File.ReadAllText(box.KeysPath("alice")).Contains(comment, StringComparison.Ordinal);

    private static void Signal(Process p, Mono.Unix.Native.Signum signal) => Assert.Equal(0, Mono.Unix.Native.Syscall.kill(p.Id, signal));

    [PublishedBinaryFact]
    public void Sighup_syncs_at_once_and_sigterm_stops_cleanly()
    {
        using var box = new EngineSandbox(["alice"]);
        box.WriteRegistry(Registry(1, AliceA, AliceB));
        using var daemon = Start(box);
        var stdout = daemon.StandardOutput.ReadToEndAsync();
        try
        {
            Assert.True(WaitFor(() => Has(box, "alice-b"), TimeSpan.FromSeconds(60)), "first cycle did not write");

            box.WriteRegistry(Registry(2, AliceA));
            Thread.Sleep(300);
            Assert.True(Has(box, "alice-b"), "changed before SIGHUP although the poll interval is an hour");
            Signal(daemon, Mono.Unix.Native.Signum.SIGHUP);
            Assert.True(WaitFor(() => !Has(box, "alice-b"), TimeSpan.FromSeconds(60)), "SIGHUP did not sync");
            Assert.False(daemon.HasExited, "SIGHUP killed the daemon");

            var clock = Stopwatch.StartNew();
            Signal(daemon, Mono.Unix.Native.Signum.SIGTERM);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(60)), "SIGTERM did not stop it");
            Assert.Equal(0, daemon.ExitCode);
            Assert.Equal([box.KeysPath("alice")], Directory.GetFiles(Path.GetDirectoryName(box.KeysPath("alice"))!));
            Assert.Contains("alice-a", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }
        }
    }

    [PublishedBinaryFact]
    public void Notifies_ready_status_watchdog_and_stopping_and_logs_with_journal_prefixes()
    {
        using var box = new EngineSandbox(["alice"]);
        box.WriteRegistry(Registry(1, AliceA));
        using var socket = new NotifySocket(Path.Combine(box.Root, "notify.sock"));
        // WATCHDOG_USEC=2 s: systemd would count a gap of 2 s between pings as a hang; the daemon pings
        // every 1 s while idle, as each cycle starts and as it ends.
        using var daemon = Start(box, new()
        {
            ["NOTIFY_SOCKET"] = socket.Path,
            ["JOURNAL_STREAM"] = "8:12345",
            ["WATCHDOG_USEC"] = "2000000",
        });
        var stdout = daemon.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && socket.Messages.SkipWhile(m => m.Text != "READY=1").Count(m => m.Text == "WATCHDOG=1") < 4)
            {
                socket.Receive(TimeSpan.FromMilliseconds(500));
            }
            Signal(daemon, Mono.Unix.Native.Signum.SIGTERM);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(60)), "SIGTERM did not stop it");
            while (socket.Receive(TimeSpan.Zero))
            {
            }
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }
        }
        var texts = socket.Messages.Select(m => m.Text).ToList();
        int ready = texts.IndexOf("READY=1");
        int status = texts.FindIndex(t => t.StartsWith("STATUS=ok", StringComparison.Ordinal));
        Assert.True(status >= 0 && ready > status, "expected STATUS=ok… then READY=1 after the first cycle: " + string.Join(" | ", texts));
        Assert.Equal("STOPPING=1", texts[^1]);
        // Never a gap systemd would count as a hang once the daemon is ready and waiting. The times are
        // the kernel's, when each datagram arrived, so only the daemon's own pace is judged.
        var readyAt = socket.Messages.First(m => m.Text == "READY=1").At;
        var idle = socket.Messages.Where(m => m.Text == "WATCHDOG=1" && m.At >= readyAt).Select(m => m.At).ToList();
        Assert.True(idle.Count >= 4, "watchdog pings after READY: " + idle.Count);
        Assert.All(idle.Zip(idle.Skip(1), (a, b) => (b - a).TotalSeconds), g => Assert.InRange(g, 0.0, 1.99));

        string log = stdout.Result;
        Assert.Matches(@"(?m)^<6>sync ok in [0-9.]+s: ", log);
        Assert.DoesNotMatch(@"(?m)^\d{4}-\d\d-\d\d ", log);
    }

    [PublishedBinaryFact]
    public void Journal_lines_carry_warning_and_error_priorities()
    {
        using var box = new EngineSandbox(["alice"]);
        // One key: the guard's floor is lowered so that emptying the registry trips it (an error line).
        using var daemon = Start(box, new() { ["JOURNAL_STREAM"] = "8:12345", ["KEYAGENTD_Safety__MinRemovedKeys"] = "1" });
        var stdout = daemon.StandardOutput.ReadToEndAsync();
        try
        {
            // No registry yet: a warning. Then a good one: info. Then an empty one: the guard's error.
            Assert.True(WaitFor(() => File.Exists(Path.Combine(box.Settings.State.Directory, "status.json")), TimeSpan.FromSeconds(60)), "first cycle");
            box.WriteRegistry(Registry(1, AliceA));
            Signal(daemon, Mono.Unix.Native.Signum.SIGHUP);
            Assert.True(WaitFor(() => Has(box, "alice-a"), TimeSpan.FromSeconds(60)));
            box.WriteRegistry(EngineSandbox.Registry(2, []));
            Signal(daemon, Mono.Unix.Native.Signum.SIGHUP);
            Assert.True(WaitFor(() => box.State.LoadStatus().Outcome == "guard-tripped", TimeSpan.FromSeconds(60)));
            Signal(daemon, Mono.Unix.Native.Signum.SIGTERM);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }
        }
        string log = stdout.Result;
        Assert.Matches(@"(?m)^<4>registry .* unusable", log);
        Assert.Matches(@"(?m)^<6>sync ok in [0-9.]+s: ", log);
        Assert.Matches(@"(?m)^<3>mass-removal guard tripped", log);
        Assert.Contains("alice-a", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);
    }

    [PublishedBinaryFact]
    public void Without_journal_lines_are_plain_and_timestamped()
    {
        using var box = new EngineSandbox(["alice"]);
        box.WriteRegistry(Registry(1, AliceA));
        using var daemon = Start(box);
        var stdout = daemon.StandardOutput.ReadToEndAsync();
        Assert.True(WaitFor(() => Has(box, "alice-a"), TimeSpan.FromSeconds(60)));
        Thread.Sleep(200);
        Signal(daemon, Mono.Unix.Native.Signum.SIGTERM);
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(60)));
        string log = stdout.Result;
        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[INF\] ", log);
        Assert.DoesNotContain("<6>", log, StringComparison.Ordinal);
    }
}
