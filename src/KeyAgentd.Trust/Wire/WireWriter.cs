using System.Buffers;
using System.Buffers.Binary;

namespace KeyAgentd.Trust.Wire;

/// <summary>Writes the SSH wire encoding (RFC 4251 §5): the mirror of SshWireReader, for signed data and KRLs.</summary>
internal sealed class WireWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public void Raw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void Byte(byte value) => _buffer.Write([value]);

    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void String(ReadOnlySpan<byte> bytes)
    {
        UInt32((uint)bytes.Length);
        Raw(bytes);
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
