using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace KeyAgentd.EndToEnd;

/// <summary>
/// One real login target: an account created with useradd (password '*': usable, no password),
/// a file:// registry, a keyagentd config, and an sshd on 127.0.0.1:free-port reading keys either
/// from ~/.ssh/authorized_keys ("files") or from the published keyagentd-keys ("helper").
/// Everything is removed on Dispose.
/// </summary>
public sealed partial class SshdLab : IDisposable
{
    public const string Sshd = "/usr/sbin/sshd";

    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly string BinDir = Path.Combine(RepoRoot, "out", "bin");

    private readonly List<(string Email, string KeyLine, DateTimeOffset? NotAfter)> _keys = [];

    /// <summary>The lab account's options in the registry (what an access rule's <c>options</c> become); none when null.</summary>
    public string? AccountOptions { get; set; }
    private readonly List<string> _revoked = [];
    private Process? _sshd;
    private long _serial = 1;

    public SshdLab(string delivery, string mode = "exclusive")
    {
        Delivery = delivery;
        // keyagentd-keys serves a cache only if every directory above it is root-owned and not
        // group/world-writable, as sshd demands of the command itself: /var/tmp (1777) will not do.
        Root = Path.Combine("/var/lib", "keyagentd-e2e-" + Random6());
        Create(Root, "755");
        Create(BaseDir, "755");
        Create(StateDir, "755");
        Create(KeysDir, "700");
        User = "kae2e" + Random6();
        lock (typeof(SshdLab))
        {
            Run("useradd", "--create-home", "--base-dir", BaseDir, "--shell", "/bin/sh", User);
        }
        Run("usermod", "-p", "*", User);
        if (delivery == "helper")
        {
            InstallHelper();
        }
        _fileDelivery = delivery == "files";
        WriteConfig(mode);
    }

    private void InstallHelper()
    {
        HelperUser = "kae2eh" + Random6();
        lock (typeof(SshdLab))
        {
            Run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", HelperUser);
        }
        // sshd insists that the command and every directory above it are root-owned and not
        // group/world-writable, so /var/tmp (1777) will not do.
        HelperDir = Path.Combine("/usr/local/libexec", "keyagentd-e2e-" + Random6());
        Create(HelperDir, "755");
        // keyagentd-keys is one native executable (NativeAOT): nothing else from out/bin is needed
        // beside it, and out/bin no longer holds a KeyAgentd.Core.dll since keyagentd is native too.
        foreach (string file in Directory.GetFiles(BinDir, "keyagentd-keys*"))
        {
            File.Copy(file, Path.Combine(HelperDir, Path.GetFileName(file)));
        }
        Run("chmod", "-R", "go-w", HelperDir);
    }

    /// <summary>
    /// A files-delivery lab switched to helper-only delivery (Delivery:AuthorizedKeysFiles false), as an
    /// operator does it: the keyagentd-keys drop-in enabled, sshd's AuthorizedKeysFile left as it was, so
    /// sshd reads both the old authorized_keys and the helper.
    /// </summary>
    public void SwitchToHelperDelivery()
    {
        if (HelperDir is null)
        {
            InstallHelper();
        }
        _fileDelivery = false;
        _sshdReadsFileAndHelper = true;
        WriteConfig(_mode);
    }

    private bool _fileDelivery;
    private bool _sshdReadsFileAndHelper;

    public string Delivery { get; }
    public string Root { get; }
    public string User { get; }
    public string? HelperDir { get; private set; }

    /// <summary>The unprivileged AuthorizedKeysCommandUser (helper delivery only).</summary>
    public string? HelperUser { get; private set; }
    public string BaseDir => Path.Combine(Root, "home");
    public string Home => Path.Combine(BaseDir, User);
    public string StateDir => Path.Combine(Root, "state");
    public string KeysDir => Path.Combine(Root, "clientkeys");
    public string RegistryPath => Path.Combine(Root, "registry.json");
    public string ConfigPath => Path.Combine(Root, "keyagentd.json");
    public string AuthorizedKeys => Path.Combine(Home, ".ssh", "authorized_keys");
    public int Port { get; private set; }

    public static string? SkipReason()
    {
        if (Environment.UserName != "root")
        {
            return "needs root: creates real accounts and runs sshd";
        }
        if (!File.Exists(Sshd))
        {
            return $"{Sshd} not installed (apt-get install openssh-server)";
        }
        if (!File.Exists(Path.Combine(BinDir, "keyagentd")) || !File.Exists(Path.Combine(BinDir, "keyagentd-keys")))
        {
            return $"{BinDir} has no published keyagentd / keyagentd-keys (run `make publish`)";
        }
        return null;
    }

    /// <summary>A new private key; returns its path (the .pub next to it).</summary>
    public string NewKey(string name, string type = "ed25519", int bits = 0)
    {
        string path = Path.Combine(KeysDir, name);
        var args = new List<string> { "-q", "-t", type, "-N", "", "-C", name, "-f", path };
        if (bits > 0)
        {
            args.InsertRange(0, ["-b", bits.ToString(CultureInfo.InvariantCulture)]);
        }
        Run("ssh-keygen", [.. args]);
        return path;
    }

    public static string PublicLine(string privateKeyPath) => File.ReadAllText(privateKeyPath + ".pub").Trim();

    /// <summary>Grants the key to the lab account through a person in the registry.</summary>
    public void Grant(string privateKeyPath, DateTimeOffset? notAfter = null) =>
        _keys.Add((Path.GetFileName(privateKeyPath) + "@example.com", PublicLine(privateKeyPath), notAfter));

    /// <summary>Grants the key with options of its own on the person's key line, as a people/*.keys file, an LDAP value or a .keys URL can carry them.</summary>
    public void GrantWithOptions(string privateKeyPath, string keyOptions) =>
        _keys.Add((Path.GetFileName(privateKeyPath) + "@example.com", keyOptions + " " + PublicLine(privateKeyPath), null));

    public void Revoke(string privateKeyPath) => _keys.RemoveAll(k => k.KeyLine == PublicLine(privateKeyPath));

    /// <summary>Puts the key's SHA256 fingerprint on the registry's `revoked` list (what the KRL is made of).</summary>
    public void RevokeEverywhere(string privateKeyPath) =>
        _revoked.Add(Run("ssh-keygen", "-l", "-f", privateKeyPath + ".pub").Split(' ')[1]);

    /// <summary>The KRL keyagentd writes by default (State:Directory/revoked_keys.krl).</summary>
    public string RevokedKeysPath => Path.Combine(StateDir, "revoked_keys.krl");

    /// <summary>~/.ssh/authorized_keys2 written by hand (owned by the user, 0600): a file keyagentd does not manage.</summary>
    public void WriteAuthorizedKeys2(params string[] privateKeyPaths)
    {
        string path = Path.Combine(Home, ".ssh", "authorized_keys2");
        File.WriteAllText(path, string.Concat(privateKeyPaths.Select(p => PublicLine(p) + "\n")));
        Run("chown", User, path);
        Run("chmod", "600", path);
    }

    /// <summary>Writes the registry (serial bumped every time) and runs `keyagentd sync`; returns its exit code.</summary>
    public int PublishAndSync()
    {
        WriteRegistry();
        return Sync();
    }

    /// <summary><see cref="PublishAndSync"/>, which must succeed.</summary>
    public void PublishAndSyncOk() => Assert.True(PublishAndSync() == 0, "sync: " + LastSyncOutput);

    public int Sync()
    {
        var result = ProcessRunner.Run(Path.Combine(BinDir, "keyagentd"), ["--config", ConfigPath, "sync"]);
        LastSyncOutput = result.Stdout + result.Stderr;
        return result.ExitCode;
    }

    public string LastSyncOutput { get; private set; } = "";

    /// <summary>
    /// Helper delivery only: installs a second AuthorizedKeysCommand beside the helper (root-owned,
    /// as sshd and --then demand) that prints <paramref name="keyLines"/> for the lab account and
    /// exits <paramref name="exitCode"/>, and chains it after keyagentd-keys with --then.
    /// </summary>
    public void ChainOtherCommand(int exitCode, params string[] keyLines)
    {
        string script = Path.Combine(HelperDir ?? throw new InvalidOperationException("helper delivery only"), "other-keys");
        File.WriteAllText(script, $"""
            #!/bin/sh
            [ "$1" = "{User}" ] || exit 0
            printf '%s\n' {string.Join(' ', keyLines.Select(l => "'" + l + "'"))}
            exit {exitCode}

            """);
        Run("chmod", "755", script);
        _then = $" --then {script} %u %f";
    }

    private string _then = "";

    /// <summary>Whether sshd passes %f: without it the helper prints every key, from the cache's index when it can.</summary>
    public bool HelperGetsFingerprint { get; set; } = true;


    /// <param name="revokedKeys">Also read ~/.ssh/authorized_keys2 (Debian's default) and refuse the keys of keyagentd's KRL (RevokedKeys).</param>
    public void StartSshd(bool revokedKeys = false)
    {
        Directory.CreateDirectory("/run/sshd");
        Port = LoopbackPorts.Reserve();
        string helper = $"""
              AuthorizedKeysCommand {HelperDir}/keyagentd-keys --state-dir {StateDir} %u{(HelperGetsFingerprint ? " %f" : "")}{_then}
              AuthorizedKeysCommandUser {HelperUser}
              """;
        string keysSource = _sshdReadsFileAndHelper ? "AuthorizedKeysFile .ssh/authorized_keys\n" + helper
            : Delivery == "helper"
            ? $"""
              AuthorizedKeysFile none
              AuthorizedKeysCommand {HelperDir}/keyagentd-keys --state-dir {StateDir} %u{(HelperGetsFingerprint ? " %f" : "")}{_then}
              AuthorizedKeysCommandUser {HelperUser}
              """
            : revokedKeys
                ? $"AuthorizedKeysFile .ssh/authorized_keys .ssh/authorized_keys2\nRevokedKeys {RevokedKeysPath}"
                : "AuthorizedKeysFile .ssh/authorized_keys";
        StartSshdWith(keysSource);
    }

    /// <summary>
    /// sshd with the drop-in the package ships (examples/sshd_config.d/keyagentd.conf) as it is, only its
    /// paths moved into this lab: the helper and its user, and the KRL under the lab's state directory.
    /// AuthorizedKeysFile stays sshd's default, as on a host where the drop-in is enabled.
    /// </summary>
    public void StartSshdWithShippedDropIn()
    {
        Assert.True(HelperDir is not null, "the shipped drop-in names keyagentd-keys: use a helper-delivery lab");
        string dropIn = File.ReadAllText(Path.Combine(RepoRoot, "examples", "sshd_config.d", "keyagentd.conf"));
        var moves = new (string Shipped, string Lab)[]
        {
            ("\nAuthorizedKeysCommand /usr/lib/keyagentd/keyagentd-keys %u %f\n", $"\nAuthorizedKeysCommand {HelperDir}/keyagentd-keys --state-dir {StateDir} %u %f\n"),
            ("\nAuthorizedKeysCommandUser keyagentd\n", $"\nAuthorizedKeysCommandUser {HelperUser}\n"),
            ("\nRevokedKeys /var/lib/keyagentd/revoked_keys.krl\n", $"\nRevokedKeys {RevokedKeysPath}\n"),
        };
        foreach (var (shipped, lab) in moves)
        {
            Assert.Contains(shipped, dropIn, StringComparison.Ordinal);
            dropIn = dropIn.Replace(shipped, lab, StringComparison.Ordinal);
        }
        Directory.CreateDirectory("/run/sshd");
        Port = LoopbackPorts.Reserve();
        StartSshdWith(dropIn);
    }

    /// <summary>~/.ssh/authorized_keys placed by hand (the user's own 0700/0600), as on an account the registry does not serve.</summary>
    public void WriteAuthorizedKeysByHand(params string[] privateKeyPaths)
    {
        string ssh = Path.Combine(Home, ".ssh");
        Run("install", "-d", "-o", User, "-m", "700", ssh);
        File.WriteAllText(AuthorizedKeys, string.Concat(privateKeyPaths.Select(p => PublicLine(p) + "\n")));
        Run("chown", User, AuthorizedKeys);
        Run("chmod", "600", AuthorizedKeys);
    }

    private void StartSshdWith(string keysSource)
    {
        string hostKey = Path.Combine(Root, "ssh_host_ed25519_key");
        if (!File.Exists(hostKey))
        {
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey);
        }
        File.WriteAllText(Path.Combine(Root, "sshd_config"), $"""
            Port {Port}
            ListenAddress 127.0.0.1
            HostKey {hostKey}
            PidFile {Root}/sshd.pid
            UsePAM no
            StrictModes yes
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAcceptedAlgorithms +ssh-dss
            MaxAuthTries 20
            AllowUsers {User}
            LogLevel VERBOSE
            {keysSource}

            """);
        var check = ProcessRunner.Run(Sshd, ["-t", "-f", Path.Combine(Root, "sshd_config")]);
        Assert.True(check.ExitCode == 0, "sshd -t: " + check.Stderr);
        var info = new ProcessStartInfo(Sshd) { UseShellExecute = false };
        foreach (string arg in new[] { "-D", "-f", Path.Combine(Root, "sshd_config"), "-E", Path.Combine(Root, "sshd.log") })
        {
            info.ArgumentList.Add(arg);
        }
        _sshd = LoopbackServerProcess.Start("sshd", info, Port, TimeSpan.FromSeconds(60), SshdLog);
    }

    /// <summary>True when `ssh … true` logs in with exactly this key (exit 0); false on 255.</summary>
    public bool CanLogIn(string privateKeyPath)
    {
        var result = ProcessRunner.Run("ssh", [
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "PubkeyAcceptedAlgorithms=+ssh-dss", "-o", "ConnectTimeout=10",
            "-F", "/dev/null", "-i", privateKeyPath, "-p", Port.ToString(CultureInfo.InvariantCulture),
            $"{User}@127.0.0.1", "true"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode is 0 or 255, $"ssh exited {result.ExitCode}: {result.Stderr}");
        return result.ExitCode == 0;
    }

    /// <summary>
    /// True when sshd, logged into with exactly this key, opens a direct-tcpip channel to
    /// 127.0.0.1:<paramref name="port"/> (`ssh -W`) and the listener's greeting comes back through it.
    /// </summary>
    public bool CanForwardTo(string privateKeyPath, int port, string greeting)
    {
        var result = ProcessRunner.Run("ssh", [
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", "-F", "/dev/null", "-i", privateKeyPath,
            "-p", Port.ToString(CultureInfo.InvariantCulture), "-W", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            $"{User}@127.0.0.1"], stdin: "", timeout: TimeSpan.FromSeconds(60));
        return result.Stdout.Contains(greeting, StringComparison.Ordinal);
    }

    public string AuditLog()
    {
        string path = Path.Combine(Root, "audit.jsonl");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public string SshdLog()
    {
        string log = Path.Combine(Root, "sshd.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no sshd log)";
    }

    public void Dispose()
    {
        if (_sshd is { HasExited: false })
        {
            _sshd.Kill();
            _sshd.WaitForExit(5000);
        }
        _sshd?.Dispose();
        lock (typeof(SshdLab))
        {
            ProcessRunner.Run("userdel", ["-r", "-f", User]);
            if (HelperUser is not null)
            {
                ProcessRunner.Run("userdel", [HelperUser]);
            }
        }
        try
        {
            Directory.Delete(Root, recursive: true);
            if (HelperDir is not null)
            {
                Directory.Delete(HelperDir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Rewrites the config with another Accounts:Mode, keeping everything else.</summary>
    public void SetMode(string mode) => WriteConfig(mode);

    /// <summary>Sets Accounts:BreakGlass for the lab account (none when empty).</summary>
    public void SetBreakGlass(params string[] lines)
    {
        _breakGlass = lines;
        WriteConfig(_mode);
    }

    private string _mode = "exclusive";
    private string[] _breakGlass = [];

    private void WriteConfig(string mode)
    {
        _mode = mode;
        var config = new Dictionary<string, object>
        {
            ["Registry"] = SignerKeyPath is null
                ? new Dictionary<string, object> { ["Url"] = "file://" + RegistryPath }
                : new Dictionary<string, object> { ["Url"] = "file://" + RegistryPath, ["AllowedSignersFile"] = AllowedSignersPath, ["Signatures"] = "enforce" },
            ["State"] = new Dictionary<string, object> { ["Directory"] = StateDir },
            ["Audit"] = new Dictionary<string, object> { ["Path"] = Path.Combine(Root, "audit.jsonl") },
            ["Accounts"] = new Dictionary<string, object>
            {
                ["Mode"] = mode,
                ["BreakGlass"] = new Dictionary<string, string[]> { [User] = _breakGlass },
            },
            ["Delivery"] = new Dictionary<string, object> { ["AuthorizedKeysFiles"] = _fileDelivery },
            ["Safety"] = new Dictionary<string, object> { ["MaxRemovalPercent"] = StrictGuard ? 0 : 100, ["MinRemovedKeys"] = 1 },
        };
        if (_sshdSettings.Count > 0)
        {
            config["Sshd"] = _sshdSettings;
        }
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(config));
    }

    private void WriteRegistry()
    {
        var now = DateTimeOffset.UtcNow;
        var people = new Dictionary<string, object>();
        foreach (var group in _keys.GroupBy(k => k.Email))
        {
            people[group.Key] = new Dictionary<string, object>
            {
                ["keys"] = group.Select(k => k.NotAfter is { } notAfter
                    ? new Dictionary<string, object> { ["key"] = k.KeyLine, ["not_after"] = notAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) }
                    : new Dictionary<string, object> { ["key"] = k.KeyLine }).ToArray(),
            };
        }
        var registry = new Dictionary<string, object>
        {
            ["schema"] = "keyagentd.registry/v1",
            ["serial"] = _serial++,
            ["issued_at"] = now.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["expires_at"] = now.AddDays(1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["people"] = people,
            ["accounts"] = new Dictionary<string, object> { [User] = WithCertificateAuthorities(AccountOptions is null
                ? new Dictionary<string, object> { ["grants"] = people.Keys.ToArray() }
                : new Dictionary<string, object> { ["grants"] = people.Keys.ToArray(), ["options"] = AccountOptions }) },
            ["revoked"] = _revoked.ToArray(),
        };
        if (_revokedCertificates.Count > 0)
        {
            registry["revoked_certificates"] = _revokedCertificates.ToArray();
        }
        File.WriteAllText(RegistryPath, JsonSerializer.Serialize(registry));
        SignRegistryFile();
    }

    private static void Create(string dir, string mode)
    {
        Directory.CreateDirectory(dir);
        Run("chmod", mode, dir);
    }


    private static string Random6() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));

    private static string Run(string command, params string[] arguments)
    {
        var result = ProcessRunner.Run(command, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Stderr}");
        }
        return result.Stdout;
    }

    private static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "KeyAgentd.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir ?? "/nonexistent";
    }
}
