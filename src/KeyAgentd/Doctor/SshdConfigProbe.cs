using System.Diagnostics;

namespace KeyAgentd.Doctor;

/// <summary>sshd's effective configuration for one user (`sshd -T -C user=…`), read-only.</summary>
public static class SshdConfigProbe
{
    public sealed record Result(IReadOnlyDictionary<string, string> Settings, string? Error);

    private static readonly string[] SshdPaths = ["/usr/sbin/sshd", "/usr/local/sbin/sshd"];

    public static Result? Probe(string user)
    {
        string? sshd = SshdPaths.FirstOrDefault(File.Exists);
        if (sshd is null)
        {
            return null;
        }
        var info = new ProcessStartInfo(sshd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-T", "-C", $"user={user},host=localhost,addr=127.0.0.1" })
        {
            info.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                return new Result(new Dictionary<string, string>(), "timed out");
            }
            if (process.ExitCode != 0)
            {
                return new Result(new Dictionary<string, string>(), stderr.Result.Trim());
            }
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string line in stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0)
                {
                    string key = line[..space];
                    settings[key] = settings.TryGetValue(key, out string? before) ? before + " " + line[(space + 1)..] : line[(space + 1)..];
                }
            }
            return new Result(settings, null);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Result(new Dictionary<string, string>(), e.Message);
        }
    }
}
