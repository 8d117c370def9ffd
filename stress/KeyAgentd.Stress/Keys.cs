using System.Buffers.Binary;
using System.Text;

namespace KeyAgentd.Stress;

/// <summary>Fast distinct keys (as bench/gen-keys.py): an Ed25519 public key is any 32 bytes.</summary>
public static class Keys
{
    public static string Ed25519(Random rng, string comment)
    {
        byte[] key = new byte[32];
        rng.NextBytes(key);
        return Ed25519(key, comment);
    }

    /// <summary>A key determined by (a, b): the same inputs always give the same key.</summary>
    public static string Ed25519(int a, int b, string comment)
    {
        byte[] key = new byte[32];
        BinaryPrimitives.WriteInt32BigEndian(key, a);
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(4), b);
        key[31] = 0x5A;
        return Ed25519(key, comment);
    }

    private static string Ed25519(byte[] key, string comment)
    {
        byte[] type = Encoding.ASCII.GetBytes("ssh-ed25519");
        byte[] blob = new byte[4 + type.Length + 4 + 32];
        BinaryPrimitives.WriteInt32BigEndian(blob, type.Length);
        type.CopyTo(blob, 4);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4 + type.Length), 32);
        key.CopyTo(blob, 8 + type.Length);
        string line = "ssh-ed25519 " + Convert.ToBase64String(blob);
        return comment.Length == 0 ? line : line + " " + comment;
    }
}
