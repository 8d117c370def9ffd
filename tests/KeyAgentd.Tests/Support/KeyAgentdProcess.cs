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

    /// <summary>The built assembly and the host that runs it.</summary>
    public static (string File, string[] Prefix) Command()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        string configuration = output.Parent!.Name;
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "KeyAgentd.sln")))
        {
            root = root.Parent;
        }
        string built = Path.Combine(root!.FullName, "src", "KeyAgentd", "bin", configuration, output.Name, "linux-x64", "keyagentd.dll");
        Assert.True(File.Exists(built), $"{built} is built with this test project");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return (dotnet, [built]);
    }

    /// <summary>One command to its end.</summary>
    public static ProcessRunner.Result Run(params string[] arguments)
    {
        var (file, prefix) = Command();
        return ProcessRunner.Run(file, [.. prefix, .. arguments], environment: Quiet);
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
