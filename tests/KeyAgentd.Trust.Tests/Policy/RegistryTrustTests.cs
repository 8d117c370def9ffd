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
        var trust = RegistryTrust.Parse($"alice {alice.KeyText}\nbob {bob.KeyText}\nbroken line\n", $"{bob.PublicLine}\nnot a key\n",
            TimeZoneInfo.Utc, new SignaturePolicyOptions());

        Assert.Equal(["allowed signers line 3: missing key", "revoked signers line 2: unknown key type \"not\""], trust.Problems);
        Assert.True(trust.Verify(Snapshot, OpenSsh.Sign(alice, Snapshot), Now).IsAccepted);
        Assert.Equal(TrustReason.SignerRevoked, trust.Verify(new MemoryStream(Snapshot), OpenSsh.Sign(bob, Snapshot), Now).Reason);
    }

    [Fact]
    public void Threshold_below_one_is_a_configuration_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            RegistryTrust.Parse("", null, TimeZoneInfo.Utc, new SignaturePolicyOptions { Threshold = 0 }));
    }
}
