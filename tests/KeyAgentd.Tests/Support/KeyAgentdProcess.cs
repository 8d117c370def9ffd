using System.Diagnostics;
using System.Text;
using KeyAgentd.Testing;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// The keyagentd CLI as its own process, as built with this test project (the assembly for linux-x64,
/// run by the dotnet host: a NativeAOT project builds no apphost): for exit codes, stderr, signals and
/// the daemon's log lines exactly as an operator sees them.
/// </summary>
public sealed class KeyAgentdProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private KeyAgentdProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The assembly built with this test project and the host that runs it.</summary>
    public static (string File, string[] Prefix) Command() => BuiltCli.All()[0];

    /// <summary>One command to its end.</summary>
    public static ProcessRunner.Result Run(params string[] arguments) => RunAs(null, arguments);

    /// <param name="uid">Run as this uid and gid (setpriv, no supplementary groups); null as the test's own user.</param>
    public static ProcessRunner.Result RunAs(uint? uid, params string[] arguments)
    {
        var (file, prefix) = Command();
        // The host needs a home it may write for its own first-run files; a user such as nobody has none.
        var environment = new Dictionary<string, string>(Quiet) { ["HOME"] = "/tmp", ["DOTNET_CLI_HOME"] = "/tmp" };
        string[] command = [file, .. prefix, .. arguments];
        return uid is { } id
            ? ProcessRunner.Run("setpriv", [$"--reuid={id}", $"--regid={id}", "--clear-groups", .. command], environment: environment, timeout: TimeSpan.FromSeconds(60))
            : ProcessRunner.Run(command[0], command[1..], environment: environment, timeout: TimeSpan.FromSeconds(60));
    }

    /// <summary>A long-running command (the daemon); stdout and stderr are collected together, line by line.</summary>
    public static KeyAgentdProcess Start(params string[] arguments)
    {
        var (file, prefix) = Command();
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])[.. prefix, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }
        foreach (string name in (string[])["NOTIFY_SOCKET", "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID"])
        {
            info.Environment.Remove(name);
        }
        foreach (var (key, value) in Quiet)
        {
            info.Environment[key] = value;
        }
        return new KeyAgentdProcess(Process.Start(info)!);
    }

    /// <summary>Not started by systemd: plain log lines.</summary>
    private static readonly Dictionary<string, string> Quiet = new() { ["DOTNET_NOLOGO"] = "1" };

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public void Signal(Mono.Unix.Native.Signum signal) => Assert.Equal(0, Mono.Unix.Native.Syscall.kill(_process.Id, signal));

    /// <summary>Waits for the exit and for the last output lines.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit();
        return true;
    }

    public static bool Eventually(Func<bool> condition, TimeSpan timeout)
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

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
