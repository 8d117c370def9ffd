using System.Diagnostics;
using KeyAgentd.Accounts;

namespace KeyAgentd.Stress;

/// <summary>A real account (useradd) whose home is under the given root-owned base dir; userdel on Dispose.</summary>
public sealed class RealAccount : IDisposable
{
    private RealAccount(AccountInfo account) => Account = account;

    public AccountInfo Account { get; }

    public static RealAccount Create(string baseDir)
    {
        string name = "kas" + Guid.NewGuid().ToString("N")[..8];
        Run("useradd", "--create-home", "--base-dir", baseDir, "--shell", "/bin/sh", name);
        uint uid = uint.Parse(Run("id", "-u", name).Trim());
        uint gid = uint.Parse(Run("id", "-g", name).Trim());
        return new RealAccount(new AccountInfo(name, uid, gid, Path.Combine(baseDir, name), "/bin/sh"));
    }

    public static string Run(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)}: exit {p.ExitCode}: {error}");
        }
        return output;
    }

    public void Dispose()
    {
        try
        {
            Run("userdel", Account.Name);
        }
        catch (InvalidOperationException)
        {
            // Best effort; the tree is removed by the caller.
        }
    }
}
