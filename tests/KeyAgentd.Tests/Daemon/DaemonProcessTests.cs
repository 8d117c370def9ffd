using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
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
            Assert.True(WaitFor(() => Has(box, "alice-b"), TimeSpan.FromSeconds(20)), "first cycle did not write");

            box.WriteRegistry(Registry(2, AliceA));
            Thread.Sleep(300);
            Assert.True(Has(box, "alice-b"), "changed before SIGHUP although the poll interval is an hour");
            Signal(daemon, Mono.Unix.Native.Signum.SIGHUP);
            Assert.True(WaitFor(() => !Has(box, "alice-b"), TimeSpan.FromSeconds(5)), "SIGHUP did not sync within 5 s");
            Assert.False(daemon.HasExited, "SIGHUP killed the daemon");

            var clock = Stopwatch.StartNew();
            Signal(daemon, Mono.Unix.Native.Signum.SIGTERM);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(5)), "SIGTERM did not stop it within 5 s");
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
        string socketPath = Path.Combine(box.Root, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        socket.ReceiveTimeout = 500;
        using var daemon = Start(box, new()
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["JOURNAL_STREAM"] = "8:12345",
            ["WATCHDOG_USEC"] = "1000000",
        });
        var stdout = daemon.StandardOutput.ReadToEndAsync();
        var messages = new List<(TimeSpan At, string Text)>();
        var clock = Stopwatch.StartNew();
        var buffer = new byte[4096];
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(30) && messages.SkipWhile(m => m.Text != "READY=1").Count(m => m.Text == "WATCHDOG=1") < 4)
            {
                try
                {
                    int n = socket.Receive(buffer);
                    messages.Add((clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, n)));
                }
                catch (SocketException)
                {
                }
            }
            Signal(daemon, Mono.Unix.Native.Signum.SIGTERM);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(5)));
            while (true)
            {
                try
                {
                    int n = socket.Receive(buffer);
                    messages.Add((clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, n)));
                }
                catch (SocketException)
                {
                    break;
                }
            }
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }
        }
        var texts = messages.Select(m => m.Text).ToList();
        int ready = texts.IndexOf("READY=1");
        int status = texts.FindIndex(t => t.StartsWith("STATUS=ok", StringComparison.Ordinal));
        Assert.True(status >= 0 && ready > status, "expected STATUS=ok… then READY=1 after the first cycle: " + string.Join(" | ", texts));
        Assert.Equal("STOPPING=1", texts[^1]);
        // WATCHDOG_USEC=1 s: one ping as each cycle starts and ends, then every 0.5 s while idle; never
        // a gap systemd would count as a timeout once the daemon is ready and waiting.
        var readyAt = messages.First(m => m.Text == "READY=1").At;
        var pings = messages.Where(m => m.Text == "WATCHDOG=1").Select(m => m.At).ToList();
        Assert.True(pings.Count >= 4, "watchdog pings: " + pings.Count);
        var idle = pings.Where(at => at >= readyAt).ToList();
        var gaps = idle.Zip(idle.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.NotEmpty(gaps);
        Assert.All(gaps, g => Assert.InRange(g, 0.0, 0.9));

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
            Assert.True(WaitFor(() => File.Exists(Path.Combine(box.Settings.State.Directory, "status.json")), TimeSpan.FromSeconds(20)), "first cycle");
            box.WriteRegistry(Registry(1, AliceA));
            Signal(daemon, Mono.Unix.Native.Signum.SIGHUP);
            Assert.True(WaitFor(() => Has(box, "alice-a"), TimeSpan.FromSeconds(5)));
            box.WriteRegistry(EngineSandbox.Registry(2, []));
            Signal(daemon, Mono.Unix.Native.Signum.SIGHUP);
            Assert.True(WaitFor(() => box.State.LoadStatus().Outcome == "guard-tripped", TimeSpan.FromSeconds(5)));
            Signal(daemon, Mono.Unix.Native.Signum.SIGTERM);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(5)));
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
        Assert.True(WaitFor(() => Has(box, "alice-a"), TimeSpan.FromSeconds(20)));
        Thread.Sleep(200);
        Signal(daemon, Mono.Unix.Native.Signum.SIGTERM);
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(5)));
        string log = stdout.Result;
        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[INF\] ", log);
        Assert.DoesNotContain("<6>", log, StringComparison.Ordinal);
    }
}
