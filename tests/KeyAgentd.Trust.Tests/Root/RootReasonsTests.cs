using KeyAgentd.Trust.Root;

namespace KeyAgentd.Trust.Tests.Root;

public class RootReasonsTests
{
    [Fact]
    public void Codes_are_stable_and_round_trip()
    {
        string[] expected =
        [
            "root-accepted", "root-malformed", "root-signature-invalid", "root-threshold-not-met", "root-version-skip",
            "root-rollback", "root-expired", "root-pin-mismatch", "root-state-lost",
        ];
        Assert.Equal(expected, Enum.GetValues<RootReason>().Select(r => r.ToCode()));
        foreach (string code in expected)
        {
            Assert.True(RootReasons.TryParse(code, out var reason));
            Assert.Equal(code, reason.ToCode());
        }
    }
}
