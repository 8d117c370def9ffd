using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using KeyAgentd.Core;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// Another AuthorizedKeysCommand run after ours (<c>--then</c>), for hosts that already had one:
/// sshd runs a single command. It is executed directly (never through a shell), as the same
/// AuthorizedKeysCommandUser, with stdin and stderr inherited. Its output is held and passed on
/// after ours only if it exits 0 in time, which is what sshd does with a command's lines: a command
/// that fails, hangs or floods grants nothing. Whatever happens to it is reported on stderr and never
/// changes our exit status, as sshd would discard every line of a command that exits non-zero, ours included.
/// </summary>
internal sealed record ChainedCommand(string FileName, IReadOnlyList<string> Arguments, TimeSpan Timeout)
{
    /// <summary>
    /// sshd itself waits for ever (bounded only by LoginGraceTime, 120 s by default, for the whole
    /// login). Cloud agents answer from a local metadata service within a second or two; ten seconds
    /// leaves room for a slow one and still lets a user whose agent hangs log in with our keys.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Beyond LoginGraceTime's default the login is gone anyway.</summary>
    public const int MaxTimeoutSeconds = 120;

    /// <summary>The cap on the cache file, for the same reason: more than this is not a list of keys.</summary>
    public const int MaxOutputBytes = CacheFileReader.MaxBytes;

    public void Run(Stream output, TextWriter error)
    {
        if (SafePath.Check(FileName) is { } unsafeReason)
        {
            Report(error, $"{unsafeReason}; not run");
            return;
        }
        var start = new ProcessStartInfo(FileName) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (string argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("not started");
        }
        catch (Win32Exception e)
        {
            Report(error, $"cannot run: {e.Message}");
            return;
        }
        using (process)
        {
            var clock = Stopwatch.StartNew();
            var captured = ReadCappedAsync(process.StandardOutput.BaseStream);
            if (!process.WaitForExit(Timeout))
            {
                // Its children too: one left holding sshd's pipe open would stall the login just the same.
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Report(error, $"still running after {Seconds(Timeout)} s; killed");
                return;
            }
            // A child it left behind may hold the pipe open: wait for the end of its output only as long as the timeout allows.
            var left = Timeout - clock.Elapsed;
            if (!captured.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                Report(error, $"exited, but its output was still open after {Seconds(Timeout)} s; its lines are discarded");
                return;
            }
            if (process.ExitCode != 0)
            {
                Report(error, $"exited with status {process.ExitCode.ToString(CultureInfo.InvariantCulture)}; its lines are discarded, as sshd would");
                return;
            }
            if (captured.Result is not { } lines)
            {
                Report(error, $"printed more than {MaxOutputBytes} bytes; its lines are discarded");
                return;
            }
            output.Write(lines.GetBuffer(), 0, (int)lines.Length);
        }
    }

    // The path is an argument sshd passed, and sshd logs stderr: escaped, it cannot forge a log line.
    private void Report(TextWriter error, string what) => error.WriteLine(SafeText.Escape($"keyagentd-keys: --then {FileName}: {what}"));

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>Everything the command prints, or null past the cap (then read on to the end and dropped, so the command is not left blocked on a full pipe).</summary>
    private static async Task<MemoryStream?> ReadCappedAsync(Stream stdout)
    {
        var kept = new MemoryStream();
        var buffer = new byte[64 * 1024];
        bool overflowed = false;
        int n;
        while ((n = await stdout.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            overflowed |= kept.Length + n > MaxOutputBytes;
            if (!overflowed)
            {
                kept.Write(buffer, 0, n);
            }
        }
        return overflowed ? null : kept;
    }
}
