namespace KeyAgentd.Trust.Tests;

public class TrustReasonsTests
{
    [Fact]
    public void Codes_are_stable_and_round_trip()
    {
        string[] expected =
        [
            "accepted", "signature-missing", "signature-malformed", "signature-invalid", "signer-unknown",
            "signer-not-yet-valid", "signer-expired", "signer-revoked", "namespace-mismatch", "threshold-not-met",
            "signer-line-invalid",
        ];
        Assert.Equal(expected, Enum.GetValues<TrustReason>().Select(r => r.ToCode()));
        foreach (string code in expected)
        {
            Assert.True(TrustReasons.TryParse(code, out var reason));
            Assert.Equal(code, reason.ToCode());
        }
    }
}
