using System.Globalization;

namespace KeyAgentd.EndToEnd;

/// <summary>The lab's SSH certificate side: CA grants in the registry, keyagentd's optional sshd files, and sshd configured for them.</summary>
public sealed partial class SshdLab
{
    private readonly List<Dictionary<string, object>> _authorities = [];
    private readonly Dictionary<string, object> _sshdSettings = [];

    /// <summary>Safety:MaxRemovalPercent 0 (and MinRemovedKeys 1): any key removed that the registry did not withdraw trips the guard.</summary>
    public bool StrictGuard
    {
        get => _strictGuard;
        set
        {
            _strictGuard = value;
            WriteConfig(_mode);
        }
    }

    private bool _strictGuard;

    public string TrustedCaKeysPath => Path.Combine(Root, "trusted_user_ca_keys");

    /// <summary>A client key with a certificate from <paramref name="ca"/> beside it (KEY-cert.pub), which ssh -i KEY offers.</summary>
    public string Certified(TestCertificateAuthority ca, string name, string[] principals, string? validity = null, string[]? options = null)
    {
        string key = NewKey(name);
        ca.IssueFor(key, name + "@ci", 1, principals, validity, options);
        return key;
    }

    /// <summary>
    /// <paramref name="ca"/> granted as ops-ca for <paramref name="principals"/> (alice by default), published, synced
    /// and sshd started for this lab's delivery: alice's certified key, which must log in.
    /// </summary>
    public string StartWithCertifiedAlice(TestCertificateAuthority ca, string[]? principals = null, string? options = null)
    {
        GrantCertificateAuthority("ops-ca", ca.PublicLine, principals ?? ["alice"], options);
        PublishAndSyncOk();
        StartSshd();
        string alice = Certified(ca, "alice", ["alice"]);
        Assert.True(CanLogIn(alice), SshdLog());
        return alice;
    }

    /// <summary>The account admits certificates from <paramref name="caPublicLine"/> for <paramref name="principals"/> (a cert_authorities entry).</summary>
    public void GrantCertificateAuthority(string name, string caPublicLine, string[] principals, string? options = null, DateTimeOffset? notAfter = null)
    {
        var grant = new Dictionary<string, object> { ["name"] = name, ["key"] = caPublicLine, ["principals"] = principals };
        if (options is not null)
        {
            grant["options"] = options;
        }
        if (notAfter is { } end)
        {
            grant["not_after"] = end.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        }
        _authorities.Add(grant);
    }

    public void RemoveCertificateAuthorities() => _authorities.Clear();

    /// <summary>Puts a CA key's fingerprint on the registry's `revoked` list.</summary>
    public void RevokeCertificateAuthority(string caPublicLine)
    {
        string file = Path.Combine(Root, "revoked-ca.pub");
        File.WriteAllText(file, caPublicLine + "\n");
        _revoked.Add(Run("ssh-keygen", "-l", "-f", file).Split(' ')[1]);
    }

    /// <summary>Sshd:TrustedUserCAKeysFile in keyagentd's configuration (the lab's own path).</summary>
    public void WriteTrustedCaKeys()
    {
        _sshdSettings["TrustedUserCAKeysFile"] = TrustedCaKeysPath;
        WriteConfig(_mode);
    }

    public string PrincipalsDirectory => Path.Combine(Root, "principals");

    /// <summary>Sshd:AuthorizedPrincipalsDirectory in keyagentd's configuration (the lab's own path).</summary>
    public void WritePrincipalsFiles()
    {
        _sshdSettings["AuthorizedPrincipalsDirectory"] = PrincipalsDirectory;
        WriteConfig(_mode);
    }

    /// <summary>sshd reading TrustedUserCAKeys and AuthorizedPrincipalsFile DIR/%u, both written by keyagentd; no authorized_keys.</summary>
    public void StartSshdWithPrincipalsFiles()
    {
        Directory.CreateDirectory("/run/sshd");
        Port = LoopbackPorts.Reserve();
        StartSshdWith($"""
            AuthorizedKeysFile none
            TrustedUserCAKeys {TrustedCaKeysPath}
            AuthorizedPrincipalsFile {PrincipalsDirectory}/%u
            """);
    }

    /// <summary>
    /// sshd as a site that trusts CAs through TrustedUserCAKeys (written by keyagentd) and asks keyagentd-keys
    /// --principals for each account's principals; no authorized_keys, no AuthorizedKeysCommand.
    /// </summary>
    public void StartSshdWithPrincipalsCommand()
    {
        Assert.True(HelperDir is not null, "AuthorizedPrincipalsCommand runs keyagentd-keys: use a helper-delivery lab");
        Directory.CreateDirectory("/run/sshd");
        Port = LoopbackPorts.Reserve();
        StartSshdWith($"""
            AuthorizedKeysFile none
            TrustedUserCAKeys {TrustedCaKeysPath}
            AuthorizedPrincipalsCommand {HelperDir}/keyagentd-keys --state-dir {StateDir} --principals %u
            AuthorizedPrincipalsCommandUser {HelperUser}
            """);
    }

    /// <summary>True when a login with this key (and its -cert.pub) gets a terminal: `ssh -tt … tty` prints a /dev/pts path.</summary>
    public bool GetsPty(string privateKeyPath)
    {
        var result = ProcessRunner.Run("ssh", [
            "-tt", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", "-F", "/dev/null", "-i", privateKeyPath,
            "-p", Port.ToString(CultureInfo.InvariantCulture), $"{User}@127.0.0.1", "tty"], stdin: "", timeout: TimeSpan.FromSeconds(60));
        return result.Stdout.Contains("/dev/pts/", StringComparison.Ordinal);
    }

    /// <summary>`keyagentd doctor USER --certificate FILE` against the lab's state; returns its output.</summary>
    public string DoctorCertificate(string certificatePath)
    {
        var result = ProcessRunner.Run(Path.Combine(BinDir, "keyagentd"), ["--config", ConfigPath, "doctor", User, "--certificate", certificatePath]);
        return result.Stdout + result.Stderr;
    }

    private Dictionary<string, object> WithCertificateAuthorities(Dictionary<string, object> account)
    {
        if (_authorities.Count > 0)
        {
            account["cert_authorities"] = _authorities.ToArray();
        }
        return account;
    }
}
