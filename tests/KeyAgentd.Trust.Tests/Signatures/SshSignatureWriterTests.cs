using System.Security.Cryptography;
using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Trust.Signatures;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Signatures;

/// <summary>The signing half: what a key must sign, and the block that wraps it, as ssh-keygen writes them.</summary>
public sealed class SshSignatureWriterTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("{\"schema\": \"keyagentd.registry/v1\"}\n");

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("rsa", 3072)]
    [InlineData("ecdsa", 521)]
    public void Rewrapping_ssh_keygens_signature_gives_its_bytes_back(string type, int bits)
    {
        var key = SignerKey.Get(type, bits);
        byte[] file = OpenSsh.Sign(key, Message);
        var parsed = SshSignatureParser.Parse(SshSignatureArmor.Decode(file)[0]);
        byte[] blob = SshSignatureWriter.Blob(parsed.PublicKey, OpenSsh.Namespace, parsed.Signature);
        Assert.Equal(Encoding.ASCII.GetString(file), SshSignatureWriter.Armor(blob));
    }

    [Fact]
    public void A_signature_over_the_signed_data_verifies_with_ssh_keygen_and_the_verifier()
    {
        using var rsa = RSA.Create(3072);
        var p = rsa.ExportParameters(false);
        byte[] publicBlob = new WireBuilder().String("ssh-rsa").String(MPInt(p.Exponent!)).String(MPInt(p.Modulus!)).ToArray();
        var key = AuthorizedKeyLineParser.Parse($"ssh-rsa {Convert.ToBase64String(publicBlob)} registry").Key!;
        byte[] raw = rsa.SignData(SshSignatureWriter.SignedData(OpenSsh.Namespace, Message), HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
        byte[] signature = new WireBuilder().String("rsa-sha2-512").String(raw).ToArray();
        string armored = SshSignatureWriter.Armor(SshSignatureWriter.Blob(key, OpenSsh.Namespace, signature));

        var parsed = SshSignatureParser.Parse(SshSignatureArmor.Decode(Encoding.ASCII.GetBytes(armored))[0]);
        Assert.True(SshSignatureVerifier.Verify(parsed, Message, new SignatureVerifyOptions()).IsValid);
        Assert.True(OpenSsh.Verify($"registry@example.com ssh-rsa {Convert.ToBase64String(publicBlob)}\n", "registry@example.com", Encoding.ASCII.GetBytes(armored), Message));
    }

    private static byte[] MPInt(byte[] magnitude) => (magnitude[0] & 0x80) != 0 ? [0, .. magnitude] : magnitude;
}
