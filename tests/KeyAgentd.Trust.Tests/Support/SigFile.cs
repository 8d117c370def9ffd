using System.Text;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.Trust.Tests.Support;

/// <summary>Takes .sig files apart and puts them back together, for mutations.</summary>
public static class SigFile
{
    /// <summary>The SSHSIG blob of a single-block .sig file.</summary>
    public static byte[] Blob(byte[] sigFile) => SshSignatureArmor.Decode(sigFile).Single();

    /// <summary>Armors a blob the way ssh-keygen does (70-column base64).</summary>
    public static byte[] Armor(byte[] blob)
    {
        var text = new StringBuilder(SshSignatureArmor.Begin).Append('\n');
        string base64 = Convert.ToBase64String(blob);
        for (int i = 0; i < base64.Length; i += 70)
        {
            text.Append(base64.AsSpan(i, Math.Min(70, base64.Length - i))).Append('\n');
        }
        text.Append(SshSignatureArmor.End).Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The fields of an SSHSIG blob after the magic: version, key, namespace, reserved, hash, signature.</summary>
    public sealed record Fields(uint Version, byte[] PublicKey, string Namespace, byte[] Reserved, string Hash, byte[] Signature)
    {
        public byte[] ToBlob() => new WireBuilder().Raw("SSHSIG"u8).UInt32(Version).String(PublicKey).String(Namespace)
            .String(Reserved).String(Hash).String(Signature).ToArray();

        public byte[] ToSigFile() => Armor(ToBlob());
    }

    public static Fields Split(byte[] sigFile)
    {
        byte[] blob = Blob(sigFile);
        uint version = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(6));
        var f = WireBuilder.Fields(blob[10..]);
        return new Fields(version, f[0], Encoding.ASCII.GetString(f[1]), f[2], Encoding.ASCII.GetString(f[3]), f[4]);
    }

    public static byte[] Concat(params byte[][] files) => files.SelectMany(f => f).ToArray();
}
