using System.Security.Cryptography;
using System.Text;
using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Wire;

namespace KeyAgentd.Trust.Signatures;

/// <summary>
/// The signing half of PROTOCOL.sshsig (sshsig.c sshsig_wrap_sign and sshsig_armor): the bytes a
/// signer's key must sign for a message, and the armored block that wraps the resulting SSH
/// signature. The private key never comes here: whatever holds it (ssh-agent, a security key)
/// signs <see cref="SignedData"/> and hands back the SSH signature blob.
/// </summary>
public static class SshSignatureWriter
{
    /// <summary>ssh-keygen wraps armored signatures at 70 columns (sshbuf_dtob64 with wrap).</summary>
    private const int ArmorWidth = 70;

    /// <summary>What the key signs: "SSHSIG" || string namespace || string reserved || string "sha512" || string SHA-512(message).</summary>
    public static byte[] SignedData(string @namespace, ReadOnlySpan<byte> message) =>
        SignedDataForHash(@namespace, SHA512.HashData(message));

    /// <summary><see cref="SignedData"/> from the message's SHA-512 alone: a signer that hashed while it rendered never reads the message again.</summary>
    public static byte[] SignedDataForHash(string @namespace, ReadOnlySpan<byte> sha512)
    {
        var writer = new WireWriter();
        writer.Raw("SSHSIG"u8);
        writer.String(Encoding.ASCII.GetBytes(@namespace));
        writer.String([]);
        writer.String("sha512"u8);
        writer.String(sha512);
        return writer.ToArray();
    }

    /// <summary>The SSHSIG blob: magic, version 1, the signer's public key, namespace, reserved, hash, signature.</summary>
    public static byte[] Blob(SshPublicKey signer, string @namespace, ReadOnlySpan<byte> sshSignature)
    {
        var writer = new WireWriter();
        writer.Raw("SSHSIG"u8);
        writer.UInt32(SshSignatureParser.Version);
        writer.String(signer.Blob);
        writer.String(Encoding.ASCII.GetBytes(@namespace));
        writer.String([]);
        writer.String("sha512"u8);
        writer.String(sshSignature);
        return writer.ToArray();
    }

    /// <summary>One armored block, byte-identical in layout to ssh-keygen -Y sign's output.</summary>
    public static string Armor(ReadOnlySpan<byte> blob)
    {
        string base64 = Convert.ToBase64String(blob);
        var text = new StringBuilder(base64.Length + 100);
        text.Append(SshSignatureArmor.Begin).Append('\n');
        for (int i = 0; i < base64.Length; i += ArmorWidth)
        {
            text.Append(base64, i, Math.Min(ArmorWidth, base64.Length - i)).Append('\n');
        }
        text.Append(SshSignatureArmor.End).Append('\n');
        return text.ToString();
    }
}
