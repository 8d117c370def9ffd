using System.Text;
using KeyAgentd.Core.HelperCache;

namespace KeyAgentd.Core.Tests.HelperCache;

public class CacheLineTests
{
    private static readonly string Ed = SshKeygen.Generate("ed25519", comment: "a");

    [Theory]
    [InlineData("UTC")]
    [InlineData("Pacific/Kiritimati")]
    [InlineData("Pacific/Pago_Pago")]
    public void No_key_expires_before_its_earliest_possible_expiry_in_any_zone(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        foreach (string value in new[] { "20300101", "203001010000", "20300101000000Z", "20300615123000" })
        {
            byte[] options = Encoding.UTF8.GetBytes($"expiry-time=\"{value}\"");
            Assert.True(CacheLine.TryGetEarliestPossibleExpiry(options, out var earliest));
            Assert.False(CacheLine.IsExpired(options, earliest!.Value.AddSeconds(-1), () => zone), $"{value} in {zoneId}");
        }
    }

    [Fact]
    public void A_field_without_expiry_has_none_and_an_unreadable_one_is_refused()
    {
        Assert.True(CacheLine.TryGetEarliestPossibleExpiry("no-pty"u8, out var none));
        Assert.Null(none);
        Assert.False(CacheLine.TryGetEarliestPossibleExpiry("expiry-time=\"2099\""u8, out _));
        Assert.True(CacheLine.IsExpired("expiry-time=\"2099\""u8, DateTimeOffset.UnixEpoch, () => TimeZoneInfo.Utc));
    }

    [Fact]
    public void The_zone_is_asked_for_only_when_a_field_names_expiry_time()
    {
        int asked = 0;
        Assert.False(CacheLine.IsExpired("from=\"10.0.0.0/8\",no-pty"u8, DateTimeOffset.UnixEpoch, () => { asked++; return TimeZoneInfo.Utc; }));
        Assert.Equal(0, asked);
    }

    [Fact]
    public void A_sound_line_splits_into_its_options_and_blob()
    {
        byte[] line = Encoding.UTF8.GetBytes("no-pty " + Ed);
        Assert.True(CacheLine.TrySplitSound(line, out var options, out var base64));
        Assert.Equal("no-pty", Encoding.UTF8.GetString(line[options]));
        Assert.Equal(Ed.Split(' ')[1], Encoding.UTF8.GetString(line[base64]));
    }
}
