using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Tests.Keys;

public class SshWireReaderTests
{
    [Fact]
    public void A_string_longer_than_its_cap_is_refused_before_reading()
    {
        byte[] data = new WireBuilder().UInt32(1_000_000).ToArray();
        var error = Assert.Throws<KeyFormatException>(() => new SshWireReader(data).ReadString("field", 64).Length);
        Assert.Equal(ReasonCode.TruncatedBlob, error.Reason);
    }

    [Fact]
    public void Negative_and_non_minimal_mpints_are_refused_like_openssh()
    {
        Assert.Throws<KeyFormatException>(() => new SshWireReader(new WireBuilder().String(new byte[] { 0x80, 1 }).ToArray()).ReadPositiveMPInt("n").Length);
        Assert.Throws<KeyFormatException>(() => new SshWireReader(new WireBuilder().String(new byte[] { 0, 1 }).ToArray()).ReadPositiveMPInt("n").Length);
        Assert.Equal(1, new SshWireReader(new WireBuilder().String(new byte[] { 0, 0x80 }).ToArray()).ReadPositiveMPInt("n").Length);
    }

    [Fact]
    public void Trailing_bytes_are_an_error()
    {
        var error = Assert.Throws<KeyFormatException>(() => new SshWireReader(new byte[] { 1 }).ReadEnd());
        Assert.Equal(ReasonCode.TrailingBytes, error.Reason);
    }

    [Theory]
    [InlineData(new byte[] { 0x01 }, 1)]
    [InlineData(new byte[] { 0x80, 0x00 }, 16)]
    [InlineData(new byte[] { 0x00, 0x7f }, 7)]
    [InlineData(new byte[] { }, 0)]
    public void Bit_length_counts_from_the_highest_set_bit(byte[] magnitude, int bits) =>
        Assert.Equal(bits, SshWireReader.BitLength(magnitude));
}
