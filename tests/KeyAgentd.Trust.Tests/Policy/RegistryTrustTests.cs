using System.Text;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Policy;

public class RegistryTrustTests
{
    private static readonly byte[] Snapshot = "{\"serial\": 3}\n"u8.ToArray();
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parses_both_files_and_verifies()
    {
        var alice = SignerKey.Get("ed25519", name: "alice");
        var bob = SignerKey.Get("ecdsa", 256, "bob");
        var trust = RegistryTrust.Parse($"alice {alice.KeyText}\nbob {bob.KeyText}\nbroken line\n", Encoding.UTF8.GetBytes($"{bob.PublicLine}\n"),
            TimeZoneInfo.Utc, new SignaturePolicyOptions());

        Assert.Equal(["allowed signers line 3: missing key"], trust.Problems);
        Assert.True(trust.Verify(Snapshot, OpenSsh.Sign(alice, Snapshot), Now).IsAccepted);
        Assert.Equal(TrustReason.SignerRevoked, trust.Verify(new MemoryStream(Snapshot), OpenSsh.Sign(bob, Snapshot), Now).Reason);
    }

    [Fact]
    public void A_revoked_signers_line_that_revokes_nothing_fails_the_parse_instead_of_a_warning()
    {
        var bob = SignerKey.Get("ecdsa", 256, "bob");

        var e = Assert.Throws<FormatException>(() => RegistryTrust.Parse($"bob {bob.KeyText}\n", Encoding.UTF8.GetBytes($"{bob.PublicLine}\nnot a key\n"),
            TimeZoneInfo.Utc, new SignaturePolicyOptions()));
        Assert.StartsWith("line 2: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Threshold_below_one_is_a_configuration_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            RegistryTrust.Parse("", null, TimeZoneInfo.Utc, new SignaturePolicyOptions { Threshold = 0 }));
    }
}
