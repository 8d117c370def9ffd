using System.Text;
using KeyAgentd.Core.HelperCache;

namespace KeyAgentd.Core.Tests.HelperCache;

/// <summary>The index line lets keyagentd-keys serve a cache whole; it may vouch only for what the line-by-line path would serve.</summary>
public class CacheIndexTests
{
    private static readonly string Ed = SshKeygen.Generate("ed25519", comment: "a");
    private static readonly string Rsa = SshKeygen.Generate("rsa", 2048, comment: "b");

    private static string DaemonCache(string keys) => Encoding.UTF8.GetString(CacheIndex.FileFor(keys));

    private static CacheIndex For(params string[] lines) => CacheIndex.For(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

    [Fact]
    public void Sound_lines_without_expiry_are_served_whole_for_ever()
    {
        var index = For("# keyagentd: managed by keyagentd, changes are overwritten", Ed, "from=\"10.0.0.0/8\",no-pty " + Rsa, "");

        Assert.Null(index.WholeUntil);
    }

    [Fact]
    public void The_earliest_expiry_bounds_it_as_read_in_the_most_advanced_zone()
    {
        var index = For("expiry-time=\"20991231\" " + Ed, "expiry-time=\"20300101000000Z\" " + Rsa);

        // 2030-01-01T00:00Z minus 14 hours: no zone can make either key expire earlier.
        Assert.Equal(new DateTimeOffset(2029, 12, 31, 10, 0, 0, TimeSpan.Zero), index.WholeUntil);
    }

    [Theory]
    [InlineData("ssh-ed25519 AAAA*AAA x")]
    [InlineData("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x")]
    [InlineData("expiry-time=\"2099\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x")]
    [InlineData("not a key line")]
    public void A_line_the_helper_would_drop_means_never_whole(string damaged)
    {
        Assert.Equal(DateTimeOffset.UnixEpoch, For(Ed, damaged).WholeUntil);
    }

    [Fact]
    public void A_carriage_return_means_never_whole()
    {
        Assert.Equal(DateTimeOffset.UnixEpoch, For(Ed + "\r").WholeUntil);
    }

    [Fact]
    public void The_rendered_line_reads_back()
    {
        string body = "expiry-time=\"20300101000000Z\" " + Ed + "\n";
        string file = DaemonCache(body);
        byte[] bytes = Encoding.UTF8.GetBytes(file);

        Assert.StartsWith(CacheIndex.Prefix + "length=" + Encoding.UTF8.GetByteCount(body) + " whole-until=1893405600\n", file, StringComparison.Ordinal);
        Assert.True(CacheIndex.TryRead(bytes, out var index, out int bodyStart));
        Assert.Equal(body, Encoding.UTF8.GetString(bytes, bodyStart, bytes.Length - bodyStart));
        Assert.True(CacheIndex.TrySplit(file, out string split));
        Assert.Equal(body, split);
        Assert.True(index.CoversWhole(bytes.AsSpan(bodyStart), new DateTimeOffset(2029, 12, 31, 9, 59, 59, TimeSpan.Zero)));
        Assert.False(index.CoversWhole(bytes.AsSpan(bodyStart), new DateTimeOffset(2029, 12, 31, 10, 0, 0, TimeSpan.Zero)));
        Assert.False(index.CoversWhole(bytes.AsSpan(bodyStart, bytes.Length - bodyStart - 1), DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData("#keyagentd-cache v1 length=10 whole-until=never\n", true)]
    [InlineData("#keyagentd-cache v1 length=10 whole-until=0\n", true)]
    [InlineData("#keyagentd-cache v1 length=10 whole-until=never", false)]
    [InlineData("#keyagentd-cache v1 length=-1 whole-until=never\n", false)]
    [InlineData("#keyagentd-cache v1 length=10 whole-until=soon\n", false)]
    [InlineData("#keyagentd-cache v1 length=10\n", false)]
    [InlineData("#keyagentd-cache v1 length=10 whole-until=never extra=1\n", false)]
    [InlineData("#keyagentd-cache v1 length=10 whole-until=9999999999999999\n", false)]
    [InlineData("#keyagentd-cache v2 length=10 whole-until=never\n", false)]
    [InlineData(" #keyagentd-cache v1 length=10 whole-until=never\n", false)]
    public void Only_a_well_formed_first_line_is_an_index(string text, bool valid)
    {
        Assert.Equal(valid, CacheIndex.TryRead(Encoding.UTF8.GetBytes(text), out _, out _));
    }
}
