using System.Collections.Concurrent;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Tests.Support;

/// <summary>A private key made by ssh-keygen for this test run, with its public line; one per (type, bits).</summary>
public sealed class SignerKey
{
    private static readonly string Scratch = Directory.CreateTempSubdirectory("keyagentd-signers-").FullName;
    private static readonly ConcurrentDictionary<string, Lazy<SignerKey>> Cache = new();

    private SignerKey(string privateKeyPath)
    {
        PrivateKeyPath = privateKeyPath;
        PublicLine = File.ReadAllText(privateKeyPath + ".pub").TrimEnd('\n');
        string[] fields = PublicLine.Split(' ');
        Key = SshPublicKeyDecoder.Decode(fields[0], fields[1]);
    }

    public string PrivateKeyPath { get; }

    /// <summary>"type base64 comment".</summary>
    public string PublicLine { get; }

    public SshPublicKey Key { get; }

    /// <summary>"type base64", as an allowed_signers line wants it.</summary>
    public string KeyText => $"{Key.TypeName} {Key.Base64}";

    /// <summary>A cached key of the type ("ed25519", "ecdsa", "rsa"); <paramref name="name"/> tells apart two keys of one type.</summary>
    public static SignerKey Get(string type, int bits = 0, string name = "a") =>
        Cache.GetOrAdd($"{type}-{bits}-{name}", id => new Lazy<SignerKey>(() =>
            new SignerKey(SshKeygen.GeneratePrivate(Scratch, id, type, bits)))).Value;

    public override string ToString() => Key.ToString();
}
