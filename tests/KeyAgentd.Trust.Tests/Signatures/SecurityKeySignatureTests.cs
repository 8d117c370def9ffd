using System.Text;
using KeyAgentd.Trust.Signatures;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Signatures;

/// <summary>Security-key signatures built in code (PROTOCOL.u2f), checked against ssh-keygen -Y verify.</summary>
public class SecurityKeySignatureTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("{\"serial\": 9}\n");

    public static TheoryData<string> Types => ["sk-ed25519", "sk-ecdsa"];

    private static CodeSigner Create(string type, string application = "ssh:") =>
        type == "sk-ed25519" ? CodeSigner.SkEd25519(application) : CodeSigner.SkEcdsa(application);

    [Theory]
    [MemberData(nameof(Types))]
    public void Touched_signature_is_accepted_by_ssh_keygen_and_by_the_verifier(string type)
    {
        var signer = Create(type);
        byte[] sigFile = signer.Sign(Message, flags: 0x01, counter: 1234);
        var signature = SshSignatureParser.Parse(SigFile.Blob(sigFile));

        Assert.True(OpenSsh.Verify($"alice {signer.KeyText}\n", "alice", sigFile, Message));
        Assert.True(SshSignatureVerifier.Verify(signature, Message, new SignatureVerifyOptions { RequireUserPresence = true }).IsValid);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Untouched_signature_is_refused_only_when_user_presence_is_required(string type)
    {
        var signer = Create(type, "ssh:keyagentd");
        byte[] sigFile = signer.Sign(Message, flags: 0x00, counter: 7);
        var signature = SshSignatureParser.Parse(SigFile.Blob(sigFile));

        // ssh-keygen -Y verify does not ask for the touch flag either; requiring it is our policy's choice.
        Assert.True(OpenSsh.Verify($"alice {signer.KeyText}\n", "alice", sigFile, Message));
        Assert.True(SshSignatureVerifier.Verify(signature, Message, new SignatureVerifyOptions { RequireUserPresence = false }).IsValid);
        var check = SshSignatureVerifier.Verify(signature, Message, new SignatureVerifyOptions { RequireUserPresence = true });
        Assert.False(check.IsValid);
        Assert.Contains("user presence", check.Error);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Altered_flags_or_counter_break_the_signature(string type)
    {
        var signer = Create(type);
        var fields = SigFile.Split(signer.Sign(Message, flags: 0x01, counter: 5));
        byte[] counterChanged = (byte[])fields.Signature.Clone();
        counterChanged[^1] ^= 0x01;
        byte[] flagsChanged = (byte[])fields.Signature.Clone();
        flagsChanged[^5] ^= 0x04;

        foreach (byte[] altered in new[] { counterChanged, flagsChanged })
        {
            byte[] sigFile = (fields with { Signature = altered }).ToSigFile();
            Assert.False(SshSignatureVerifier.Verify(SshSignatureParser.Parse(SigFile.Blob(sigFile)), Message, new SignatureVerifyOptions()).IsValid);
            Assert.False(OpenSsh.Verify($"alice {signer.KeyText}\n", "alice", sigFile, Message));
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Flipped_message_byte_does_not_verify(string type)
    {
        var signer = Create(type);
        byte[] sigFile = signer.Sign(Message);
        byte[] altered = (byte[])Message.Clone();
        altered[3] ^= 0x20;

        Assert.False(SshSignatureVerifier.Verify(SshSignatureParser.Parse(SigFile.Blob(sigFile)), altered, new SignatureVerifyOptions()).IsValid);
        Assert.False(OpenSsh.Verify($"alice {signer.KeyText}\n", "alice", sigFile, altered));
    }
}
