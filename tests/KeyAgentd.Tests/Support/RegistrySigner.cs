using System.Collections.Concurrent;
using System.Text;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Tests.Support;

/// <summary>A registry signing key made by ssh-keygen for this test run; signs with `ssh-keygen -Y sign`, the operators' tool.</summary>
public sealed class RegistrySigner
{
    public const string Namespace = "keyagentd-registry";

    private static readonly string Scratch = Directory.CreateTempSubdirectory("keyagentd-registry-signers-").FullName;
    private static readonly ConcurrentDictionary<string, Lazy<RegistrySigner>> Cache = new();

    private RegistrySigner(string privateKeyPath)
    {
        PrivateKeyPath = privateKeyPath;
        PublicLine = File.ReadAllText(privateKeyPath + ".pub").TrimEnd('\n');
        var key = AuthorizedKeyLineParser.Parse(PublicLine).Key!;
        KeyText = $"{key.TypeName} {key.Base64}";
        Fingerprint = key.Sha256Fingerprint;
    }

    public string PrivateKeyPath { get; }

    public string PublicLine { get; }

    /// <summary>"type base64", as allowed_signers wants it.</summary>
    public string KeyText { get; }

    public string Fingerprint { get; }

    /// <summary>One cached key per name (generation is the slow part).</summary>
    public static RegistrySigner Get(string name, string type = "ed25519", int bits = 0) =>
        Cache.GetOrAdd(name, id => new Lazy<RegistrySigner>(() =>
            new RegistrySigner(SshKeygen.GeneratePrivate(Scratch, id, type, bits, comment: id)))).Value;

    /// <summary>`ssh-keygen -Y sign -n NS -f KEY FILE`; returns the .sig file's bytes.</summary>
    public byte[] Sign(byte[] content, string @namespace = Namespace)
    {
        using var dir = new TempDirectory("keyagentd-sign-");
        string file = dir.File("registry.json");
        File.WriteAllBytes(file, content);
        var result = ProcessRunner.Run("ssh-keygen", ["-Y", "sign", "-n", @namespace, "-f", PrivateKeyPath, file]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -Y sign failed: {result.Stderr}");
        }
        return File.ReadAllBytes(file + ".sig");
    }

    public byte[] Sign(string json, string @namespace = Namespace) => Sign(Encoding.UTF8.GetBytes(json), @namespace);

    /// <summary>An allowed_signers line: "PRINCIPAL [OPTIONS] TYPE BASE64".</summary>
    public string AllowedLine(string principal, string? options = null) =>
        options is null ? $"{principal} {KeyText}" : $"{principal} {options} {KeyText}";

    /// <summary>Rewrites the SSHSIG version field of a single-block .sig file (a mutation OpenSSH's own tools never make).</summary>
    public static byte[] WithVersion(byte[] sigFile, uint version) => Mutate(sigFile, (_, fields) => (version, fields));

    /// <summary>
    /// Takes a single-block .sig file apart (version; public key, namespace, reserved, hash, signature),
    /// lets <paramref name="change"/> edit it, and armors it again as ssh-keygen does (70 columns).
    /// </summary>
    public static byte[] Mutate(byte[] sigFile, Func<uint, List<byte[]>, (uint Version, List<byte[]> Fields)> change)
    {
        string[] lines = Encoding.ASCII.GetString(sigFile).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        byte[] blob = Convert.FromBase64String(string.Concat(lines[1..^1]));
        uint version = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(6));
        var (newVersion, fields) = change(version, WireBuilder.Fields(blob[10..]));
        var builder = new WireBuilder().Raw("SSHSIG"u8).UInt32(newVersion);
        foreach (byte[] field in fields)
        {
            builder.String(field);
        }
        string base64 = builder.ToBase64();
        var text = new StringBuilder(lines[0]).Append('\n');
        for (int i = 0; i < base64.Length; i += 70)
        {
            text.Append(base64.AsSpan(i, Math.Min(70, base64.Length - i))).Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.Append(lines[^1]).Append('\n').ToString());
    }
}
