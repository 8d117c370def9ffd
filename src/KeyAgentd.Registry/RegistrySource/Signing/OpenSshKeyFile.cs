using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using KeyAgentd.Core.Keys;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// Reads the one private key kind this process signs with itself: an unencrypted Ed25519 key in the
/// OpenSSH format (PROTOCOL.key: "openssh-key-v1", cipher and KDF "none", one key). Every other file
/// (encrypted, RSA, ECDSA, sk- handles, PEM) is left to ssh-keygen, which owns passphrases, KDFs and
/// security keys. Before a byte is read, the file is refused when group or others may read or write it,
/// as ssh-keygen refuses an unprotected key. Every buffer that held key material is zeroed.
/// </summary>
internal static class OpenSshKeyFile
{
    private const string Begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private const string End = "-----END OPENSSH PRIVATE KEY-----";

    /// <summary>A key file is a few hundred bytes; anything far larger is no key this reader takes.</summary>
    private const int MaxFileBytes = 64 * 1024;

    /// <summary>What may separate the armor's lines (the whitespace base64 decoding skips).</summary>
    private static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;

    /// <summary>Group and others: any bit (read, write, execute), as ssh-keygen's sshkey_perm_ok.</summary>
    private const uint GroupOrOthers = 0x3F; // 077

    /// <summary>
    /// The key, or null when <paramref name="path"/> is not an unencrypted OpenSSH Ed25519 key (ssh-keygen signs then).
    /// </summary>
    /// <exception cref="SigningKeyException">The file is open to group or others, or a malformed Ed25519 key.</exception>
    /// <exception cref="IOException">It cannot be opened or read.</exception>
    public static Ed25519PrivateKey? TryReadEd25519(string path)
    {
        Stat st;
        string? notRegular;
        Microsoft.Win32.SafeHandles.SafeFileHandle? handle;
        try
        {
            // ssh-keygen follows a symlink to its key, so does this.
            handle = Posix.TryOpenRegular(path, out st, out notRegular, followSymlink: true);
        }
        catch (PosixException e)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
        if (handle is null)
        {
            throw new IOException($"{path}: {notRegular ?? "no such file"}, not a key file");
        }
        using (handle)
        {
            if ((Posix.PermissionBits(st) & GroupOrOthers) != 0)
            {
                throw new SigningKeyException(SigningKeyRefusal.TooOpen,
                    $"{path} is mode {Posix.Octal(st)}: a private key must be readable by its owner only (chmod 600 {path})");
            }
            if (st.st_size > MaxFileBytes)
            {
                return null;
            }
            byte[] text = GC.AllocateArray<byte>((int)st.st_size, pinned: true);
            try
            {
                int read = 0;
                while (read < text.Length && RandomAccess.Read(handle, text.AsSpan(read), read) is > 0 and var n)
                {
                    read += n;
                }
                return Parse(text.AsSpan(0, read), path);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(text);
            }
        }
    }

    /// <exception cref="SigningKeyException">An unencrypted Ed25519 key whose parts disagree.</exception>
    internal static Ed25519PrivateKey? Parse(ReadOnlySpan<byte> text, string path)
    {
        // Bytes throughout, never a string: a string of the armored key could not be zeroed.
        var armored = text.Trim(Whitespace);
        if (!armored.StartsWith(Encoding.ASCII.GetBytes(Begin)) || !armored.EndsWith(Encoding.ASCII.GetBytes(End)))
        {
            return null;
        }
        var body = armored[Begin.Length..^End.Length];
        byte[] blob = GC.AllocateArray<byte>(body.Length, pinned: true);
        try
        {
            int base64Length = 0;
            foreach (byte b in body)
            {
                if (!Whitespace.Contains(b))
                {
                    blob[base64Length++] = b;
                }
            }
            if (Base64.DecodeFromUtf8InPlace(blob.AsSpan(0, base64Length), out int length) != OperationStatus.Done)
            {
                return null;
            }
            return ParseBlob(blob.AsSpan(0, length), path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
        }
    }

    private static Ed25519PrivateKey? ParseBlob(ReadOnlySpan<byte> blob, string path)
    {
        ReadOnlySpan<byte> magic = "openssh-key-v1\0"u8;
        if (!blob.StartsWith(magic))
        {
            return null;
        }
        try
        {
            var outer = new SshWireReader(blob[magic.Length..]);
            if (!outer.ReadString("cipher", 64).SequenceEqual("none"u8) || !outer.ReadString("kdf", 64).SequenceEqual("none"u8) ||
                outer.ReadString("kdf options", 1024).Length != 0 || outer.ReadUInt32("key count") != 1)
            {
                return null; // encrypted, or several keys: ssh-keygen's to read
            }
            byte[] publicBlob = outer.ReadString("public key", SshPublicKeyDecoder.MaxBlobBytes).ToArray();
            var section = outer.ReadString("private section", MaxFileBytes);
            outer.ReadEnd();
            var inner = new SshWireReader(section);
            if (inner.ReadUInt32("check") != inner.ReadUInt32("check"))
            {
                throw new SigningKeyException(SigningKeyRefusal.Malformed, $"{path}: its two check words differ (a damaged key, or a wrong passphrase's output)");
            }
            if (!inner.ReadString("key type", 64).SequenceEqual(Encoding.ASCII.GetBytes(SshKeyType.Ed25519)))
            {
                return null; // RSA, ECDSA, sk-: ssh-keygen signs with those
            }
            var point = inner.ReadString("Ed25519 public key", 64);
            var secret = inner.ReadString("Ed25519 private key", 128);
            inner.ReadString("comment", 4096);
            // The padding is 1, 2, 3, … up to the cipher's block size (8 for "none").
            for (byte expected = 1; inner.Remaining > 0; expected++)
            {
                if (inner.ReadByte("padding") != expected)
                {
                    throw new SigningKeyException(SigningKeyRefusal.Malformed, $"{path}: its padding is not 1, 2, 3, …");
                }
            }
            // OpenSSH stores the private key as seed || point; the outer public key must be the same key.
            if (point.Length != Ed25519PrivateKey.PointBytes || secret.Length != Ed25519PrivateKey.SeedBytes + Ed25519PrivateKey.PointBytes ||
                !secret[Ed25519PrivateKey.SeedBytes..].SequenceEqual(point))
            {
                throw new SigningKeyException(SigningKeyRefusal.Malformed, $"{path}: its Ed25519 key is not 32 + 32 bytes with the public point repeated");
            }
            _ = SshKeyType.TryGet(SshKeyType.Ed25519, out var type);
            var publicKey = SshPublicKeyDecoder.Decode(type, publicBlob);
            var claimed = new SshWireReader(publicBlob);
            claimed.ReadString("key type", 64);
            if (!claimed.ReadString("Ed25519 public key", 64).SequenceEqual(point))
            {
                throw new SigningKeyException(SigningKeyRefusal.Malformed, $"{path}: its public key and its private section name different keys");
            }
            return new Ed25519PrivateKey(secret[..Ed25519PrivateKey.SeedBytes], point, publicKey, path);
        }
        catch (KeyFormatException e)
        {
            throw new SigningKeyException(SigningKeyRefusal.Malformed, $"{path}: {e.Message}");
        }
    }
}
