using System.Security.Cryptography;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Revocation;

/// <summary>
/// Registry:RevokedSignersFile: signer keys no longer trusted. Either an OpenSSH KRL (`ssh-keygen -k`,
/// read by <see cref="KrlReader"/>) or text in any of the forms operators write, one per line
/// (<see cref="RevokedSignersText"/>). A key is revoked when its plain blob, or the SHA-1 or SHA-256
/// hash of it, is named: krl.c is_key_revoked's test. Nothing that fails to parse is skipped: the
/// whole file is then a <see cref="FormatException"/>, since a revocation that is not understood
/// would leave the key it meant to revoke trusted.
/// </summary>
public sealed class RevokedSigners
{
    private readonly RevocationSet _revoked;

    private RevokedSigners(RevocationSet revoked)
    {
        _revoked = revoked;
    }

    public static RevokedSigners None { get; } = new(new RevocationSet());

    /// <summary>How many entries name a key (whole keys and fingerprints alike).</summary>
    public int Count => _revoked.PlainKeys.Count + _revoked.Sha1.Count + _revoked.Sha256.Count;

    public bool Contains(SshPublicKey key)
    {
        byte[] plain = key.PlainBlob();
        if (_revoked.PlainKeys.Contains(plain) || _revoked.Sha256.Contains(SHA256.HashData(plain)))
        {
            return true;
        }
#pragma warning disable CA5350 // SHA-1 only matches what a KRL's SHA-1 section names, as krl.c does; it decides nothing alone.
        return _revoked.Sha1.Contains(SHA1.HashData(plain));
#pragma warning restore CA5350
    }

    public static RevokedSigners From(IEnumerable<SshPublicKey> keys)
    {
        var revoked = new RevocationSet();
        foreach (var key in keys)
        {
            revoked.PlainKeys.Add(key.PlainBlob());
        }
        return new RevokedSigners(revoked);
    }

    /// <summary>The file's bytes: a KRL when they start with its magic, text otherwise.</summary>
    /// <exception cref="FormatException">Any part of the file does not parse; the message says where.</exception>
    public static RevokedSigners Parse(ReadOnlySpan<byte> content)
    {
        var revoked = new RevocationSet();
        if (KrlReader.IsKrl(content))
        {
            KrlReader.Read(content, revoked);
        }
        else
        {
            RevokedSignersText.Read(DecodeText(content), revoked);
        }
        return new RevokedSigners(revoked);
    }

    /// <exception cref="FormatException">A line does not parse.</exception>
    public static RevokedSigners Parse(string text)
    {
        var revoked = new RevocationSet();
        RevokedSignersText.Read(text, revoked);
        return new RevokedSigners(revoked);
    }

    private static string DecodeText(ReadOnlySpan<byte> content)
    {
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (ArgumentException e)
        {
            throw new FormatException("neither an OpenSSH KRL nor UTF-8 text", e);
        }
    }
}
