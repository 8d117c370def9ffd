using System.Buffers.Binary;
using System.Text;

namespace KeyAgentd.Testing;

/// <summary>Builds SSH wire-format blobs by hand: security-key keys and certificates ssh-keygen cannot make here.</summary>
public sealed class WireBuilder
{
    private readonly MemoryStream _buffer = new();

    public WireBuilder String(string text) => String(Encoding.UTF8.GetBytes(text));

    public WireBuilder String(ReadOnlySpan<byte> bytes)
    {
        UInt32((uint)bytes.Length);
        _buffer.Write(bytes);
        return this;
    }

    public WireBuilder UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public WireBuilder UInt64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public WireBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _buffer.ToArray();

    public string ToBase64() => Convert.ToBase64String(ToArray());

    /// <summary>Reads the string fields of an existing blob (to reuse a real key's material).</summary>
    public static List<byte[]> Fields(byte[] blob)
    {
        var fields = new List<byte[]>();
        int position = 0;
        while (position + 4 <= blob.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(position));
            fields.Add(blob.AsSpan(position + 4, length).ToArray());
            position += 4 + length;
        }
        return fields;
    }

    /// <summary>An sk-ssh-ed25519 key built from a real Ed25519 public key.</summary>
    public static string SkEd25519Line(string ed25519Line, string application = "ssh:", string comment = "sk test")
    {
        var fields = Fields(Convert.FromBase64String(ed25519Line.Split(' ')[1]));
        string blob = new WireBuilder().String("sk-ssh-ed25519@openssh.com").String(fields[1]).String(application).ToBase64();
        return $"sk-ssh-ed25519@openssh.com {blob} {comment}";
    }

    /// <summary>An sk-ecdsa-sha2-nistp256 key built from a real P-256 public key.</summary>
    public static string SkEcdsaLine(string ecdsa256Line, string application = "ssh:", string comment = "sk test")
    {
        var fields = Fields(Convert.FromBase64String(ecdsa256Line.Split(' ')[1]));
        string blob = new WireBuilder().String("sk-ecdsa-sha2-nistp256@openssh.com").String("nistp256").String(fields[2]).String(application).ToBase64();
        return $"sk-ecdsa-sha2-nistp256@openssh.com {blob} {comment}";
    }

    /// <summary>
    /// The blob of an ssh-rsa line's key re-framed with <paramref name="innerType"/> as its own type
    /// string ("rsa-sha2-256"…), which sshkey_from_blob reads as the same RSA key.
    /// </summary>
    public static string RsaWithInnerType(string rsaLine, string innerType)
    {
        var fields = Fields(Convert.FromBase64String(rsaLine.Split(' ')[1]));
        return new WireBuilder().String(innerType).String(fields[1]).String(fields[2]).ToBase64();
    }
}
