using KeyAgentd.Sync;
using KeyAgentd.Trust.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>A registry signed on a hardware key (sk-ecdsa, sk-ed25519), through sync; Registry:RequireUserPresence demands the touch.</summary>
public class SecurityKeySignerTests
{
    public static TheoryData<string> Types => new() { "sk-ecdsa", "sk-ed25519" };

    [Theory]
    [MemberData(nameof(Types))]
    public async Task A_touched_signature_is_applied_and_an_untouched_one_refused_when_presence_is_required(string type)
    {
        var signer = type == "sk-ecdsa" ? CodeSigner.SkEcdsa() : CodeSigner.SkEd25519();
        using var sandbox = new SignedSandbox(s => s.Registry.RequireUserPresence = true);
        File.AppendAllText(sandbox.AllowedSignersPath, $"hardware@example.com {signer.KeyText}\n");

        string doc2 = Doc(2);
        sandbox.Publish(doc2, signer.Sign(SignedRegistryRefusalTests.Utf8(doc2), flags: 0x01, counter: 7));
        var touched = await sandbox.Box.SyncAsync();
        Assert.True(touched.Outcome == SyncOutcome.Ok, SyncSummary.Render(touched));
        Assert.Equal("hardware@example.com", sandbox.Box.State.LoadStatus().SnapshotSigners.Single().Principals);

        var before = sandbox.ProtectedFiles();
        string doc3 = Doc(3);
        sandbox.Publish(doc3, signer.Sign(SignedRegistryRefusalTests.Utf8(doc3), flags: 0x00, counter: 8));
        var untouched = await sandbox.Box.SyncAsync();
        Assert.Equal("signature-invalid", untouched.RegistryProblem?.Code);
        Assert.Equal(before, sandbox.ProtectedFiles());
    }
}
