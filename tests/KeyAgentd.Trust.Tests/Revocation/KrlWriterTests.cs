using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Revocation;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Revocation;

/// <summary>ssh-keygen -Q is the oracle for what sshd will refuse; ssh-keygen -k for the exact bytes.</summary>
public class KrlWriterTests
{
    private static readonly KrlOptions Options = new() { Version = 7, GeneratedAt = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero) };

    private static SshPublicKey Key(string line)
    {
        string[] fields = line.Split(' ');
        return SshPublicKeyDecoder.Decode(fields[0], fields[1]);
    }

    private static SshPublicKey[] Keys(string name) =>
    [
        SignerKey.Get("ed25519", name: name).Key,
        SignerKey.Get("ecdsa", 256, name).Key,
        SignerKey.Get("ecdsa", 384, name).Key,
        SignerKey.Get("ecdsa", 521, name).Key,
        SignerKey.Get("rsa", 2048, name).Key,
        Key(WireBuilder.SkEd25519Line(SignerKey.Get("ed25519", name: name + "-sk").PublicLine)),
        Key(WireBuilder.SkEcdsaLine(SignerKey.Get("ecdsa", 256, name + "-sk").PublicLine)),
    ];

    private static byte[] Sha256(SshPublicKey key) => KrlWriter.Sha256FromFingerprint(key.Sha256Fingerprint);

    /// <summary>Runs ssh-keygen -Q -f KRL on each key; true where it says REVOKED.</summary>
    private static bool[] Query(byte[] krl, IEnumerable<SshPublicKey> keys)
    {
        using var dir = new TempDirectory("keyagentd-krl-");
        File.WriteAllBytes(dir.File("revoked.krl"), krl);
        var verdicts = new List<bool>();
        int i = 0;
        foreach (var key in keys)
        {
            string file = dir.File($"k{i++}.pub");
            File.WriteAllText(file, $"{key.TypeName} {key.Base64} key{i}\n");
            var result = ProcessRunner.Run("ssh-keygen", ["-Q", "-f", dir.File("revoked.krl"), file]);
            Assert.True(result.ExitCode is 0 or 1, result.Stderr);
            verdicts.Add(result.Stdout.Contains("REVOKED", StringComparison.Ordinal));
        }
        return [.. verdicts];
    }

    [Fact]
    public void Revoked_keys_are_revoked_and_others_are_not()
    {
        SshPublicKey[] revoked = Keys("revoked");
        SshPublicKey[] kept = Keys("kept");
        // Half by fingerprint, half in full: both sections must be read by sshd.
        var byHash = revoked.Where((_, i) => i % 2 == 0).Select(Sha256);
        var inFull = revoked.Where((_, i) => i % 2 == 1);

        byte[] krl = KrlWriter.Write(byHash, inFull, Options);

        Assert.All(Query(krl, revoked), Assert.True);
        Assert.All(Query(krl, kept), Assert.False);
    }

    [Fact]
    public void Empty_list_revokes_nothing()
    {
        byte[] krl = KrlWriter.Write([], [], Options);

        Assert.All(Query(krl, Keys("kept")), Assert.False);
    }

    [Fact]
    public void Bytes_equal_ssh_keygen_k_for_the_same_revocations()
    {
        SshPublicKey[] keys = Keys("revoked");
        using var dir = new TempDirectory("keyagentd-krl-");
        var spec = new System.Text.StringBuilder();
        foreach (var key in keys.Take(4))
        {
            spec.Append($"hash: {key.Sha256Fingerprint}\n");
        }
        foreach (var key in keys.Skip(4))
        {
            spec.Append($"{key.TypeName} {key.Base64}\n");
        }
        File.WriteAllText(dir.File("spec"), spec.ToString());
        var result = ProcessRunner.Run("ssh-keygen", ["-k", "-f", dir.File("openssh.krl"), "-z", "7", dir.File("spec")]);
        Assert.Equal(0, result.ExitCode);
        byte[] openssh = File.ReadAllBytes(dir.File("openssh.krl"));

        // generated_date (header offset 20) is "now" in ssh-keygen's file; take it from there.
        ulong generated = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(openssh.AsSpan(20));
        byte[] ours = KrlWriter.Write(keys.Take(4).Select(Sha256), keys.Skip(4),
            Options with { GeneratedAt = DateTimeOffset.FromUnixTimeSeconds((long)generated) });

        Assert.Equal(Convert.ToHexString(openssh), Convert.ToHexString(ours));
    }

    [Fact]
    public void Same_revocations_in_any_order_give_the_same_bytes()
    {
        SshPublicKey[] keys = Keys("revoked");
        byte[] first = KrlWriter.Write(keys.Select(Sha256), keys, Options);
        byte[] shuffled = KrlWriter.Write(keys.Reverse().Select(Sha256).Concat(keys.Select(Sha256)), keys.Reverse().Concat(keys), Options);

        Assert.Equal(first, shuffled);
    }

    [Fact]
    public void Header_is_PROTOCOL_krl()
    {
        byte[] krl = KrlWriter.Write([], [], Options with { Comment = "keyagentd" });

        Assert.Equal("SSHKRL\n\0"u8.ToArray(), krl[..8]);
        var fields = WireBuilder.Fields(krl[(8 + 4 + 8 + 8 + 8)..]);
        Assert.Equal([[], "keyagentd"u8.ToArray()], fields);
    }

    [Fact]
    public void Fingerprint_must_be_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => KrlWriter.Write([new byte[20]], [], Options));
        Assert.Throws<FormatException>(() => KrlWriter.Sha256FromFingerprint("MD5:00"));
    }
}
