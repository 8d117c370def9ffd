using System.Globalization;

namespace KeyAgentd.Testing;

/// <summary>
/// An SSH certificate authority made by ssh-keygen at test time: `ssh-keygen -s` issues its
/// certificates (user or host, serial, key ID, principals, validity, critical options) and
/// `ssh-keygen -L` describes them, the oracle for what keyagentd shows. Its files live in a
/// temporary directory removed on Dispose.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly TempDirectory _dir = new("keyagentd-ca-");
    private int _issued;

    public TestCertificateAuthority(string type = "ed25519", int bits = 0)
    {
        PrivateKeyPath = SshKeygen.GeneratePrivate(_dir.Path, "ca", type, bits, "test ca");
        PublicLine = File.ReadAllText(PrivateKeyPath + ".pub").Trim();
    }

    public string PrivateKeyPath { get; }

    /// <summary>"type base64 comment" of the CA key.</summary>
    public string PublicLine { get; }

    /// <summary>"type base64": the CA key without its comment.</summary>
    public string KeyText => string.Join(' ', PublicLine.Split(' ').Take(2));

    /// <summary>
    /// `ssh-keygen -s CA -I keyId [-h] [-n principals] [-z serial] [-V validity] [-O option]… key.pub`;
    /// returns the certificate line. <paramref name="publicKeyLine"/> may be given, or a fresh key is made.
    /// </summary>
    public string Issue(string publicKeyLine, string keyId, ulong? serial = null, string[]? principals = null,
        string? validity = null, string[]? options = null, bool host = false)
    {
        string name = "k" + Interlocked.Increment(ref _issued).ToString(CultureInfo.InvariantCulture);
        string pub = _dir.File(name + ".pub");
        File.WriteAllText(pub, publicKeyLine + "\n");
        var args = new List<string> { "-q", "-s", PrivateKeyPath, "-I", keyId };
        if (host)
        {
            args.Add("-h");
        }
        if (principals is { Length: > 0 })
        {
            args.AddRange(["-n", string.Join(',', principals)]);
        }
        if (serial is { } s)
        {
            args.AddRange(["-z", s.ToString(CultureInfo.InvariantCulture)]);
        }
        if (validity is not null)
        {
            args.AddRange(["-V", validity]);
        }
        foreach (string option in options ?? [])
        {
            args.AddRange(["-O", option]);
        }
        args.Add(pub);
        var result = ProcessRunner.Run("ssh-keygen", args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -s failed: {result.Stderr}");
        }
        return File.ReadAllText(_dir.File(name + "-cert.pub")).TrimEnd('\n');
    }

    /// <summary>Signs the public key beside <paramref name="privateKeyPath"/> in place: ssh then offers PATH-cert.pub with it.</summary>
    public void IssueFor(string privateKeyPath, string keyId, ulong serial, string[] principals, string? validity = null, string[]? options = null)
    {
        var args = new List<string> { "-q", "-s", PrivateKeyPath, "-I", keyId, "-z", serial.ToString(CultureInfo.InvariantCulture), "-n", string.Join(',', principals) };
        if (validity is not null)
        {
            args.AddRange(["-V", validity]);
        }
        foreach (string option in options ?? [])
        {
            args.AddRange(["-O", option]);
        }
        args.Add(privateKeyPath + ".pub");
        var result = ProcessRunner.Run("ssh-keygen", args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -s failed: {result.Stderr}");
        }
    }

    /// <summary>What `ssh-keygen -L -f FILE` prints for <paramref name="fileText"/>, in the time zone <paramref name="tz"/> (a TZ value).</summary>
    public static ProcessRunner.Result Describe(string fileText, string tz = "UTC", bool md5 = false)
    {
        using var dir = new TempDirectory("keyagentd-cert-");
        File.WriteAllText(dir.File("cert.pub"), fileText);
        var args = new List<string> { "-L", "-f", dir.File("cert.pub") };
        if (md5)
        {
            args.InsertRange(0, ["-E", "md5"]);
        }
        return ProcessRunner.Run("ssh-keygen", args, environment: new Dictionary<string, string> { ["TZ"] = tz });
    }

    public void Dispose() => _dir.Dispose();
}
