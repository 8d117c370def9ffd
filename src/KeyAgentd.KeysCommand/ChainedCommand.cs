using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// Another AuthorizedKeysCommand run after ours (<c>--then</c>), for hosts that already had one:
/// sshd runs a single command. It is executed directly (never through a shell), as the same
/// AuthorizedKeysCommandUser, with stdin, stdout and stderr inherited, so its key lines reach sshd
/// after ours. Whatever happens to it is reported on stderr and never changes our exit status:
/// sshd discards every line of a command that exits non-zero, ours included.
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

    public void Run(TextWriter error)
    {
        if (SafePath.Check(FileName) is { } unsafeReason)
        {
            error.WriteLine($"keyagentd-keys: --then {FileName}: {unsafeReason}; not run");
            return;
        }
        var start = new ProcessStartInfo(FileName) { UseShellExecute = false };
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
            error.WriteLine($"keyagentd-keys: --then {FileName}: cannot run: {e.Message}");
            return;
        }
        using (process)
        {
            if (!process.WaitForExit(Timeout))
            {
                // Its children too: one left holding sshd's pipe open would stall the login just the same.
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                error.WriteLine($"keyagentd-keys: --then {FileName}: still running after {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; killed");
                return;
            }
            if (process.ExitCode != 0)
            {
                error.WriteLine($"keyagentd-keys: --then {FileName}: exited with status {process.ExitCode.ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }
}
