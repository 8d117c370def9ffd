using System.Buffers.Binary;

namespace KeyAgentd.Core.Keys;

/// <summary>
/// Reads the SSH wire encoding (RFC 4251 §5) from a span, with a hard cap on every length so a
/// hostile blob cannot make us allocate or loop. Every read either succeeds or throws a
/// <see cref="KeyFormatException"/>; callers finish with <see cref="ReadEnd"/> so trailing bytes are an error.
/// </summary>
public ref struct SshWireReader
{
    /// <summary>OpenSSH's SSHBUF_MAX_BIGNUM: 16384-bit integers, plus one sign byte.</summary>
    public const int MaxMPIntBytes = 16384 / 8 + 1;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public SshWireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte(string what)
    {
        if (Remaining < 1)
        {
            ThrowHelper.Truncated(what);
        }
        return _data[_position++];
    }

    public uint ReadUInt32(string what)
    {
        if (Remaining < 4)
        {
            ThrowHelper.Truncated(what);
        }
        uint value = BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(_position, 4));
        _position += 4;
        return value;
    }

    public ulong ReadUInt64(string what)
    {
        if (Remaining < 8)
        {
            ThrowHelper.Truncated(what);
        }
        ulong value = BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    /// <summary>Reads a length-prefixed string of at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadString(string what, int maxLength)
    {
        uint length = ReadUInt32(what);
        if (length > (uint)maxLength)
        {
            if (length > (uint)Remaining)
            {
                ThrowHelper.Truncated(what);
            }
            ThrowHelper.Invalid($"{what} is {length} bytes, more than the {maxLength} allowed");
        }
        if (length > (uint)Remaining)
        {
            ThrowHelper.Truncated(what);
        }
        ReadOnlySpan<byte> value = _data.Slice(_position, (int)length);
        _position += (int)length;
        return value;
    }

    /// <summary>
    /// Reads a positive mpint the way OpenSSH's sshbuf_get_bignum2 does: no negative values and no
    /// superfluous leading zero byte, so every accepted blob is canonical and re-encodes identically.
    /// Returns the magnitude without the sign byte.
    /// </summary>
    public ReadOnlySpan<byte> ReadPositiveMPInt(string what)
    {
        ReadOnlySpan<byte> raw = ReadString(what, MaxMPIntBytes);
        if (raw.Length > 0 && (raw[0] & 0x80) != 0)
        {
            ThrowHelper.Invalid($"{what} is negative");
        }
        if (raw.Length > 1 && raw[0] == 0 && (raw[1] & 0x80) == 0)
        {
            ThrowHelper.Invalid($"{what} has a superfluous leading zero byte");
        }
        return raw.Length > 0 && raw[0] == 0 ? raw[1..] : raw;
    }

    public readonly void ReadEnd()
    {
        if (Remaining != 0)
        {
            ThrowHelper.Throw(Policy.ReasonCode.TrailingBytes, $"key blob has {Remaining} trailing byte(s)");
        }
    }

    /// <summary>Bit length of a big-endian unsigned magnitude (leading zeros already stripped).</summary>
    public static int BitLength(ReadOnlySpan<byte> magnitude)
    {
        int i = 0;
        while (i < magnitude.Length && magnitude[i] == 0)
        {
            i++;
        }
        if (i == magnitude.Length)
        {
            return 0;
        }
        return (magnitude.Length - i - 1) * 8 + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)magnitude[i]));
    }
}
