using System.Text.RegularExpressions;
using KeyAgentd.Core;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.Cli;

/// <summary>
/// A command run without the rights it needs (`keyagentd sync --dry-run` as a user who cannot read the
/// state directory) is the operator's mistake, not keyagentd's: one line that names the file, exit 2
/// (usage, README "Commands"), never a stack trace and never a cycle's worth of warnings first.
/// </summary>
internal static partial class PermissionDenied
{
    public static int Report(string path, TextWriter stderr)
    {
        string who = Syscall.geteuid() == 0 ? "permission denied" : "needs root";
        stderr.WriteLine($"keyagentd: {who}: cannot open {SafeText.Escape(path, 400)} (permission denied)");
        return ExitCodes.Usage;
    }

    /// <summary>The path a failure was denied on (EACCES/EPERM anywhere in its chain), or null for any other failure.</summary>
    public static string? Path(Exception e)
    {
        for (Exception? at = e; at is not null; at = at.InnerException)
        {
            switch (at)
            {
                case PosixException { Errno: Errno.EACCES or Errno.EPERM } posix:
                    return posix.Path;
                case UnauthorizedAccessException denied:
                    // .NET names the path only in the message: "Access to the path '/x' is denied."
                    return QuotedPath().Match(denied.Message) is { Success: true } m ? m.Groups[1].Value : denied.Message;
            }
        }
        return null;
    }

    /// <summary>The first of <paramref name="paths"/> that exists and this process may not open as asked, or null.</summary>
    public static string? FirstDenied(IEnumerable<(string Path, AccessModes Mode)> paths)
    {
        foreach (var (path, mode) in paths)
        {
            if (Syscall.access(path, mode) != 0 && Stdlib.GetLastError() is Errno.EACCES or Errno.EPERM)
            {
                return path;
            }
        }
        return null;
    }

    [GeneratedRegex("'(.+)'")]
    private static partial Regex QuotedPath();
}
