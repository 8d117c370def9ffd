using KeyAgentd.RootRotation;

namespace KeyAgentd.Tests.RootRotation;

/// <summary>PRINCIPAL=KEYFILE.pub and PRINCIPALS=KEYFILE.pub[,valid-after=…][,valid-before=…], and the --expires forms.</summary>
public sealed class RootKeySpecTests
{
    [Fact]
    public void A_snapshot_signer_takes_principals_and_a_validity_window()
    {
        var spec = RootKeySpec.Parse("ci,release=/keys/ci.pub,valid-after=2026-06-01,valid-before=2027-01-01T12:00:00Z", window: true);

        Assert.Equal(("ci,release", "/keys/ci.pub"), (spec.Principals, spec.KeyFile));
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), spec.ValidAfter);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 12, 0, 0, TimeSpan.Zero), spec.ValidBefore);
    }

    [Theory]
    [InlineData("alice", false)]
    [InlineData("=alice.pub", false)]
    [InlineData("alice,bob=alice.pub", false)]
    [InlineData("al ice=alice.pub", false)]
    [InlineData("*=alice.pub", false)]
    [InlineData("alice=alice.pub,valid-before=2027-01-01", false)]
    [InlineData("ci=ci.pub,valid-before=tomorrow", true)]
    [InlineData("ci=ci.pub,cert-authority", true)]
    public void What_is_not_of_the_form_is_refused(string text, bool window)
    {
        var e = Assert.Throws<RootRefusedException>(() => RootKeySpec.Parse(text, window));

        Assert.Equal(RootRefusal.ChangeInvalid, e.Refusal);
    }

    [Theory]
    [InlineData("365d", "2027-06-01T00:00:00Z")]
    [InlineData("36h", "2026-06-02T12:00:00Z")]
    [InlineData("2027-03-01", "2027-03-01T00:00:00Z")]
    [InlineData("2027-03-01T10:30:00Z", "2027-03-01T10:30:00Z")]
    public void Expires_is_a_duration_from_now_or_a_utc_date(string text, string expected)
    {
        var now = RootWorkspace.Now.AddTicks(1234);

        Assert.Equal(expected, Trust.Root.TrustRootWriter.Date(RootExpiry.Parse(text, now, "--expires")));
        Assert.Equal(0, RootExpiry.Parse(text, now, "--expires").Ticks % TimeSpan.TicksPerSecond);
    }

    [Theory]
    [InlineData("next year")]
    [InlineData("-5d")]
    [InlineData("2027-13-01")]
    public void An_unreadable_expiry_is_refused(string text)
    {
        Assert.Equal(RootRefusal.ChangeInvalid, Assert.Throws<RootRefusedException>(() => RootExpiry.Parse(text, RootWorkspace.Now, "--expires")).Refusal);
    }
}
