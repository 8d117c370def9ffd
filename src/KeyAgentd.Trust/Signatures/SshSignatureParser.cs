using System.Text;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Signatures;

/// <summary>
/// Reads an SSHSIG blob (PROTOCOL.sshsig, sshsig.c sshsig_parse_preamble and sshsig_wrap_verify):
/// magic, version, public key, namespace, reserved, hash algorithm, signature, and nothing after.
/// Stricter than OpenSSH where OpenSSH is lenient for no benefit to us: the version must be exactly
/// 1 (OpenSSH takes any version up to 1) and reserved must be empty (OpenSSH reads and ignores it,
/// and the signed data always carries an empty one, so a non-empty field was not written by ssh-keygen).
/// </summary>
public static class SshSignatureParser
{
    public const uint Version = 1;

    private static ReadOnlySpan<byte> Magic => "SSHSIG"u8;

    private const int MaxNamespaceBytes = 256;
    private const int MaxHashNameBytes = 64;

    /// <summary>Large enough for a 16384-bit RSA signature with its type name, or an sk signature.</summary>
    private const int MaxSignatureBytes = 4096;

    /// <summary>Decodes every armored block of a .sig file; a block that cannot be read is a per-block failure.</summary>
    public static IReadOnlyList<SignatureBlock> ParseFile(ReadOnlySpan<byte> file)
    {
        var blocks = new List<SignatureBlock>();
        foreach (byte[] blob in SshSignatureArmor.Decode(file))
        {
            try
            {
                blocks.Add(SignatureBlock.Parsed(Parse(blob)));
            }
            catch (SignatureFormatException ex)
            {
                blocks.Add(SignatureBlock.Failed(ex.Reason, ex.Message));
            }
        }
        return blocks;
    }

    public static SshSignature Parse(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Magic.Length || !blob[..Magic.Length].SequenceEqual(Magic))
        {
            ThrowHelper.Malformed("signature does not start with the SSHSIG magic");
        }
        try
        {
            var reader = new SshWireReader(blob[Magic.Length..]);
            uint version = reader.ReadUInt32("signature version");
            if (version != Version)
            {
                ThrowHelper.Malformed($"signature version is {version}, only {Version} is supported");
            }
            SshPublicKey key = ReadKey(reader.ReadString("signer public key", SshPublicKeyDecoder.MaxBlobBytes));
            string @namespace = ReadText(reader.ReadString("signature namespace", MaxNamespaceBytes), "namespace");
            if (@namespace.Length == 0)
            {
                ThrowHelper.Malformed("signature namespace is empty");
            }
            if (reader.ReadString("signature reserved field", MaxNamespaceBytes).Length != 0)
            {
                ThrowHelper.Malformed("signature reserved field is not empty");
            }
            SshSignatureHash hash = ReadHash(reader.ReadString("signature hash algorithm", MaxHashNameBytes));
            byte[] signature = reader.ReadString("signature", MaxSignatureBytes).ToArray();
            reader.ReadEnd();
            return new SshSignature(key, @namespace, hash, signature);
        }
        catch (KeyFormatException ex)
        {
            ThrowHelper.Malformed($"signature is malformed: {ex.Message}");
            return null;
        }
    }

    private static SshPublicKey ReadKey(ReadOnlySpan<byte> blob)
    {
        var reader = new SshWireReader(blob);
        string typeName = ReadText(reader.ReadString("signer key type", 64), "key type");
        if (!SshKeyType.TryGet(typeName, out var type))
        {
            ThrowHelper.Malformed($"signer key type \"{typeName}\" is not known");
        }
        return SshPublicKeyDecoder.Decode(type, blob.ToArray());
    }

    private static SshSignatureHash ReadHash(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual("sha256"u8))
        {
            return SshSignatureHash.Sha256;
        }
        if (name.SequenceEqual("sha512"u8))
        {
            return SshSignatureHash.Sha512;
        }
        ThrowHelper.Malformed($"signature hash \"{ReadText(name, "hash algorithm")}\" is not sha256 or sha512");
        return default;
    }

    private static string ReadText(ReadOnlySpan<byte> bytes, string what)
    {
        if (!Ascii.IsValid(bytes) || bytes.ContainsAnyInRange((byte)0, (byte)0x1f) || bytes.Contains((byte)0x7f))
        {
            ThrowHelper.Malformed($"signature {what} is not printable ASCII");
        }
        return Encoding.ASCII.GetString(bytes);
    }
}
