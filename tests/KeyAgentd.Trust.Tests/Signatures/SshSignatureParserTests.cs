using KeyAgentd.Trust.Signatures;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Signatures;

public class SshSignatureParserTests
{
    private static readonly byte[] Message = "registry"u8.ToArray();

    private static SigFile.Fields Signed() => SigFile.Split(OpenSsh.Sign(SignerKey.Get("ed25519"), Message));

    [Fact]
    public void Fields_of_an_ssh_keygen_signature_are_read()
    {
        var key = SignerKey.Get("ed25519");
        var signature = SshSignatureParser.Parse(SigFile.Blob(OpenSsh.Sign(key, Message)));

        Assert.Equal(key.Key, signature.PublicKey);
        Assert.Equal("keyagentd-registry", signature.Namespace);
        Assert.Equal(SshSignatureHash.Sha512, signature.Hash);
    }

    public static TheoryData<string, Func<SigFile.Fields, SigFile.Fields>> Mutations => new()
    {
        { "version 0", f => f with { Version = 0 } },
        { "version 2", f => f with { Version = 2 } },
        { "non-empty reserved", f => f with { Reserved = [0] } },
        { "sha384", f => f with { Hash = "sha384" } },
        { "sha1", f => f with { Hash = "sha1" } },
        { "empty namespace", f => f with { Namespace = "" } },
        { "public key garbage", f => f with { PublicKey = [1, 2, 3] } },
        { "public key with trailing byte", f => f with { PublicKey = [.. f.PublicKey, 0] } },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void Mutated_blob_is_malformed(string name, Func<SigFile.Fields, SigFile.Fields> mutate)
    {
        var ex = Assert.Throws<SignatureFormatException>(() => SshSignatureParser.Parse(mutate(Signed()).ToBlob()));
        Assert.Equal(TrustReason.SignatureMalformed, ex.Reason);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public void Trailing_bytes_bad_magic_and_truncation_are_malformed()
    {
        byte[] blob = Signed().ToBlob();
        byte[] badMagic = (byte[])blob.Clone();
        badMagic[0] = (byte)'X';

        Assert.Throws<SignatureFormatException>(() => SshSignatureParser.Parse([.. blob, 0]));
        Assert.Throws<SignatureFormatException>(() => SshSignatureParser.Parse(badMagic));
        for (int length = 0; length < blob.Length; length += 7)
        {
            Assert.Throws<SignatureFormatException>(() => SshSignatureParser.Parse(blob.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Bad_block_in_a_file_fails_alone()
    {
        byte[] good = OpenSsh.Sign(SignerKey.Get("ed25519"), Message);
        byte[] bad = (Signed() with { Version = 2 }).ToSigFile();

        var blocks = SshSignatureParser.ParseFile(SigFile.Concat(bad, good));
        Assert.Equal(TrustReason.SignatureMalformed, blocks[0].Reason);
        Assert.Null(blocks[0].Signature);
        Assert.NotNull(blocks[1].Signature);
    }
}
