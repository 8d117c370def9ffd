using System.Buffers;
using System.Text;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Keys;

/// <summary>
/// Decodes the base64 key blob of an authorized_keys line into a validated <see cref="SshPublicKey"/>,
/// applying the checks sshkey_read/sshkey_from_blob apply: the blob's inner type must equal the
/// line's type, every field must be present and well-formed, and nothing may follow the last field.
/// </summary>
public static partial class SshPublicKeyDecoder
{
    /// <summary>OpenSSH's SSH_MAX_PUBKEY_BYTES.</summary>
    public const int MaxBlobBytes = 16384;

    private const int MaxTypeNameBytes = 64;

    /// <summary>How much of a hostile token an error message quotes: enough to recognise it, never a flood.</summary>
    internal const int MaxShownLength = 41;

    private static readonly SearchValues<char> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    public static SshPublicKey Decode(ReadOnlySpan<char> lineType, ReadOnlySpan<char> base64)
    {
        if (!SshKeyType.TryGet(lineType, out var type))
        {
            ThrowHelper.Throw(ReasonCode.UnknownKeyType, $"unknown key type \"{SafeText.Escape(lineType, MaxShownLength)}\"");
        }
        return Decode(type, DecodeBase64(base64));
    }

    public static SshPublicKey Decode(SshKeyType lineType, byte[] blob)
    {
        var reader = new SshWireReader(blob);
        ReadOnlySpan<byte> blobType = reader.ReadString("key type", MaxTypeNameBytes);
        string? blobTypeAlias = null;
        if (!Ascii.Equals(blobType, lineType.Name))
        {
            blobTypeAlias = PlainSignatureAlias(blobType, lineType) ?? ThrowTypeMismatch(lineType, blobType);
            blob = Reframed(lineType, blob.AsSpan(reader.Position));
            reader = new SshWireReader(blob);
            reader.ReadString("key type", MaxTypeNameBytes);
        }
        if (lineType.IsCertificate)
        {
            reader.ReadString("certificate nonce", 1024);
        }
        int fieldsStart = reader.Position;
        var (bits, application) = ReadKeyFields(ref reader, lineType);
        int fieldsLength = reader.Position - fieldsStart;
        SshCertificateInfo? certificate = lineType.IsCertificate ? ReadCertificateFields(ref reader) : null;
        reader.ReadEnd();
        return new SshPublicKey(lineType, blob, bits, application, fieldsStart, fieldsLength, certificate, blobTypeAlias);
    }

    /// <summary>
    /// sshkey_from_blob maps the blob's own type string through sshkey_type_from_name, so a plain RSA
    /// blob typed "rsa-sha2-256"/"rsa-sha2-512" is the ssh-rsa key its fields hold, and ssh-keygen -l
    /// fingerprints it re-serialised as ssh-rsa. Returns the alias when that is the case. A certificate's
    /// type string is under the CA's signature, so it is never re-framed here.
    /// </summary>
    private static string? PlainSignatureAlias(ReadOnlySpan<byte> blobType, SshKeyType lineType)
    {
        if (lineType.IsCertificate || lineType.Algorithm != SshKeyAlgorithm.Rsa || !Ascii.IsValid(blobType))
        {
            return null;
        }
        string name = Encoding.ASCII.GetString(blobType);
        return SshKeyType.TryGetSignatureAlias(name, out var aliased) && aliased == lineType ? name : null;
    }

    private static string ThrowTypeMismatch(SshKeyType lineType, ReadOnlySpan<byte> blobType)
    {
        ThrowHelper.Throw(ReasonCode.TypeMismatch,
            $"line says {lineType.Name} but the key blob is {SafeText.Escape(Encoding.ASCII.GetString(blobType), MaxShownLength)}");
        return null!;
    }

    /// <summary>The key's fields under the line type's own name: the blob OpenSSH's sshkey_to_blob would write.</summary>
    private static byte[] Reframed(SshKeyType lineType, ReadOnlySpan<byte> fields)
    {
        var blob = new byte[4 + lineType.Name.Length + fields.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(blob, (uint)lineType.Name.Length);
        Encoding.ASCII.GetBytes(lineType.Name, blob.AsSpan(4));
        fields.CopyTo(blob.AsSpan(4 + lineType.Name.Length));
        return blob;
    }

    /// <summary>Strict base64 as OpenSSH's b64_pton: full quads, padding only at the end, zero pad bits.</summary>
    public static byte[] DecodeBase64(ReadOnlySpan<char> base64)
    {
        if (base64.Length == 0 || base64.Length % 4 != 0)
        {
            ThrowHelper.Throw(ReasonCode.BadBase64, "key blob is not valid base64 (length is not a multiple of 4)");
        }
        if (base64.Length / 4 * 3 > MaxBlobBytes + 2)
        {
            ThrowHelper.Invalid($"key blob is larger than {MaxBlobBytes} bytes");
        }
        int padding = base64[^1] == '=' ? (base64[^2] == '=' ? 2 : 1) : 0;
        ReadOnlySpan<char> data = base64[..^padding];
        int bad = data.IndexOfAnyExcept(Base64Alphabet);
        if (bad >= 0)
        {
            ThrowHelper.Throw(ReasonCode.BadBase64, $"key blob is not valid base64 (character {bad + 1} is '{SafeText.Escape(data.Slice(bad, 1), MaxShownLength)}')");
        }
        // Non-zero bits under the padding mean the text was altered; b64_pton refuses it, and so do we.
        if (padding > 0)
        {
            int last = Base64Alphabet_IndexOf(data[^1]);
            int unusedMask = padding == 1 ? 0x03 : 0x0F;
            if ((last & unusedMask) != 0)
            {
                ThrowHelper.Throw(ReasonCode.BadBase64, "key blob is not valid base64 (non-zero bits in the padding)");
            }
        }
        var blob = new byte[base64.Length / 4 * 3 - padding];
        if (!Convert.TryFromBase64Chars(base64, blob, out int written) || written != blob.Length)
        {
            ThrowHelper.Throw(ReasonCode.BadBase64, "key blob is not valid base64");
        }
        if (blob.Length > MaxBlobBytes)
        {
            ThrowHelper.Invalid($"key blob is larger than {MaxBlobBytes} bytes");
        }
        return blob;
    }

    private static int Base64Alphabet_IndexOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        _ => 63,
    };

    private static (int Bits, string? Application) ReadKeyFields(ref SshWireReader reader, SshKeyType type)
    {
        switch (type.Algorithm)
        {
            case SshKeyAlgorithm.Rsa:
            {
                ReadOnlySpan<byte> e = reader.ReadPositiveMPInt("RSA exponent");
                ReadOnlySpan<byte> n = reader.ReadPositiveMPInt("RSA modulus");
                if (SshWireReader.BitLength(e) == 0 || SshWireReader.BitLength(n) == 0)
                {
                    ThrowHelper.Invalid("RSA key has a zero exponent or modulus");
                }
                return (SshWireReader.BitLength(n), null);
            }
            case SshKeyAlgorithm.Dsa:
            {
                ReadOnlySpan<byte> p = reader.ReadPositiveMPInt("DSA p");
                reader.ReadPositiveMPInt("DSA q");
                reader.ReadPositiveMPInt("DSA g");
                reader.ReadPositiveMPInt("DSA y");
                return (SshWireReader.BitLength(p), null);
            }
            case SshKeyAlgorithm.Ecdsa:
            case SshKeyAlgorithm.SkEcdsa:
            {
                ReadOnlySpan<byte> curveName = reader.ReadString("curve name", 32);
                if (!Ascii.Equals(curveName, type.Curve!))
                {
                    ThrowHelper.Throw(ReasonCode.TypeMismatch,
                        $"line says {type.Name} but the key's curve is {SafeText.Escape(Encoding.ASCII.GetString(curveName), MaxShownLength)}");
                }
                var curve = EcCurve.ByName(type.Curve!)!;
                curve.ValidatePoint(reader.ReadString("EC public point", 1 + 2 * curve.CoordinateLength + 1));
                string? application = type.Algorithm == SshKeyAlgorithm.SkEcdsa ? ReadApplication(ref reader) : null;
                return (curve.Bits, application);
            }
            case SshKeyAlgorithm.Ed25519:
            case SshKeyAlgorithm.SkEd25519:
            {
                ReadOnlySpan<byte> pk = reader.ReadString("Ed25519 public key", 64);
                if (pk.Length != 32)
                {
                    ThrowHelper.Invalid($"Ed25519 public key is {pk.Length} bytes, expected 32");
                }
                string? application = type.Algorithm == SshKeyAlgorithm.SkEd25519 ? ReadApplication(ref reader) : null;
                return (256, application);
            }
            default:
                ThrowHelper.Throw(ReasonCode.UnknownKeyType, $"unknown key type \"{type.Name}\"");
                return default;
        }
    }

    private static string ReadApplication(ref SshWireReader reader)
    {
        ReadOnlySpan<byte> application = reader.ReadString("security key application", 1024);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(application);
        }
        catch (DecoderFallbackException)
        {
            ThrowHelper.Invalid("security key application is not valid UTF-8");
            return null;
        }
    }
}
