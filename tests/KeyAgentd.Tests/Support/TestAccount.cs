using KeyAgentd.Accounts;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// A real local account (useradd) whose home lives in a private, root-owned 0755 tree under
/// /var/tmp/keyagentd-tests-XXXX; removed with userdel -r, and the tree deleted, on Dispose.
/// Layout: Root/ (0755) → Root/home/ (the --base-dir) → Root/home/NAME (the home).
/// </summary>
public sealed class TestAccount : IDisposable
{
    // useradd/userdel take a lock on /etc/passwd and fail instead of waiting when it is held.
    private static readonly Lock UserDatabase = new();

    private readonly bool _mounted;

    private TestAccount(string root, bool mounted, AccountInfo account)
    {
        Root = root;
        _mounted = mounted;
        Account = account;
    }

    public AccountInfo Account { get; }

    public string Root { get; }

    public string BaseDir => Path.Combine(Root, "home");

    public string Home => Account.Home;

    public string SshDir => Path.Combine(Home, ".ssh");

    public string KeyFile => Path.Combine(SshDir, "authorized_keys");

    public uint Uid => Account.Uid;

    public uint Gid => Account.Gid;

    public static TestAccount Create() => CreateCore(null, out _)!;

    /// <summary>
    /// An account whose base dir is a tiny tmpfs (for ENOSPC); null with the reason when the
    /// mount is not possible here (no CAP_SYS_ADMIN in a container, for instance).
    /// </summary>
    public static TestAccount? CreateOnTmpfs(string size, out string? skipReason) => CreateCore(size, out skipReason);

    private static TestAccount? CreateCore(string? tmpfsSize, out string? skipReason)
    {
        skipReason = null;
        string root = Path.Combine("/var/tmp", "keyagentd-tests-" + RandomLetters(8));
        Directory.CreateDirectory(root);
        Chmod(root, 0x1ED);
        string baseDir = Path.Combine(root, "home");
        Directory.CreateDirectory(baseDir);
        Chmod(baseDir, 0x1ED);
        bool mounted = false;
        if (tmpfsSize is not null)
        {
            var mount = ProcessRunner.Run("mount", ["-t", "tmpfs", "-o", $"size={tmpfsSize},mode=0755", "tmpfs", baseDir]);
            if (mount.ExitCode != 0)
            {
                skipReason = $"mount -t tmpfs failed: {mount.Stderr.Trim()}";
                Directory.Delete(root, recursive: true);
                return null;
            }
            mounted = true;
        }
        string name = "kat" + RandomLetters(6);
        try
        {
            lock (UserDatabase)
            {
                Run("useradd", "--create-home", "--base-dir", baseDir, "--shell", "/bin/sh", name);
            }
            uint uid = uint.Parse(Run("id", "-u", name).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            uint gid = uint.Parse(Run("id", "-g", name).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            return new TestAccount(root, mounted, new AccountInfo(name, uid, gid, Path.Combine(baseDir, name), "/bin/sh"));
        }
        catch
        {
            Cleanup(name, root, mounted);
            throw;
        }
    }

    /// <summary>Runs a command as root and returns stdout; throws with stderr on failure.</summary>
    public static string Run(string command, params string[] arguments)
    {
        var result = ProcessRunner.Run(command, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Stderr}");
        }
        return result.Stdout;
    }

    /// <summary>lstat of a path (tests may use paths; the code under test may not).</summary>
    public static Stat Lstat(string path) => PathSyscalls.Lstat(path);

    public static uint Mode(string path) => (uint)Lstat(path).st_mode & 0xFFF;

    public static void Chmod(string path, int mode) => PathSyscalls.Chmod(path, mode);

    public static void Chown(string path, uint uid, uint gid) => PathSyscalls.Chown(path, uid, gid);

    /// <summary>Creates ~/.ssh owned by the user with the given mode.</summary>
    public void MakeSshDir(int mode = 0x1C0)
    {
        Directory.CreateDirectory(SshDir);
        Chown(SshDir, Uid, Gid);
        Chmod(SshDir, mode);
    }

    /// <summary>Creates ~/.ssh/authorized_keys owned by the user with the given content and mode.</summary>
    public void MakeKeyFile(string content, int mode = 0x180)
    {
        if (!Directory.Exists(SshDir))
        {
            MakeSshDir();
        }
        File.WriteAllText(KeyFile, content);
        Chown(KeyFile, Uid, Gid);
        Chmod(KeyFile, mode);
    }

    public void Dispose() => Cleanup(Account.Name, Root, _mounted);

    private static void Cleanup(string name, string root, bool mounted)
    {
        lock (UserDatabase)
        {
            // Not checked: userdel -r complains (but still removes the account) when a test gave the home away.
            ProcessRunner.Run("userdel", ["-r", name]);
        }
        if (mounted)
        {
            ProcessRunner.Run("umount", [Path.Combine(root, "home")]);
        }
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string RandomLetters(int count)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        return string.Create(count, 0, (span, _) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = letters[System.Security.Cryptography.RandomNumberGenerator.GetInt32(letters.Length)];
            }
        });
    }
}
