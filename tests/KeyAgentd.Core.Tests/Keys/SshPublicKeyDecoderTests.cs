using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Tests.Keys;

/// <summary>Every key type and size ssh-keygen makes here, decoded and compared with ssh-keygen -l.</summary>
public class SshPublicKeyDecoderTests
{
    public static TheoryData<string, int> GeneratedKeyTypes => new()
    {
        { "rsa", 1024 }, { "rsa", 2048 }, { "rsa", 3072 }, { "rsa", 4096 },
        { "ecdsa", 256 }, { "ecdsa", 384 }, { "ecdsa", 521 },
        { "ed25519", 0 }, { "dsa", 1024 },
    };

    [Theory]
    [MemberData(nameof(GeneratedKeyTypes))]
    public void Bits_type_and_fingerprints_match_ssh_keygen(string type, int bits)
    {
        string line = SshKeygen.Generate(type, bits, comment: $"{type} key of {bits} bits");
        var parsed = AuthorizedKeyLineParser.Parse(line);

        Assert.True(parsed.IsKey, parsed.ErrorMessage);
        var key = parsed.Key!;
        string expectedSha = SshKeygen.Fingerprint(line + "\n").Lines.Single();
        string expectedMd5 = SshKeygen.Fingerprint(line + "\n", md5: true).Lines.Single();
        Assert.Equal(expectedSha, $"{key.Bits} {key.Sha256Fingerprint} {parsed.Comment} ({key.Type.DisplayName})");
        Assert.Equal(expectedMd5, $"{key.Bits} {key.Md5Fingerprint} {parsed.Comment} ({key.Type.DisplayName})");
    }

    [Fact]
    public void Security_key_types_built_by_hand_match_ssh_keygen()
    {
        string skEd = WireBuilder.SkEd25519Line(SshKeygen.Generate("ed25519"), comment: "yubikey");
        string skEc = WireBuilder.SkEcdsaLine(SshKeygen.Generate("ecdsa", 256), application: "ssh:work", comment: "solo");

        foreach (string line in new[] { skEd, skEc })
        {
            var parsed = AuthorizedKeyLineParser.Parse(line);
            Assert.True(parsed.IsKey, parsed.ErrorMessage);
            var key = parsed.Key!;
            Assert.Equal(SshKeygen.Fingerprint(line + "\n").Lines.Single(), $"{key.Bits} {key.Sha256Fingerprint} {parsed.Comment} ({key.Type.DisplayName})");
        }
        Assert.Equal("ssh:work", AuthorizedKeyLineParser.Parse(skEc).Key!.Application);
    }

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("ecdsa", 384)]
    [InlineData("rsa", 2048)]
    public void Certificates_are_recognised_with_the_fingerprint_of_the_certified_key(string type, int bits)
    {
        string plain = SshKeygen.Generate(type, bits);
        string cert = SshKeygen.SignUserCertificate(plain, principal: "deploy");

        var parsed = AuthorizedKeyLineParser.Parse(cert);

        Assert.True(parsed.IsKey, parsed.ErrorMessage);
        var key = parsed.Key!;
        Assert.True(key.Type.IsCertificate);
        Assert.Equal(AuthorizedKeyLineParser.Parse(plain).Key!.Sha256Fingerprint, key.Sha256Fingerprint);
        Assert.Equal(SshKeygen.Fingerprint(cert + "\n").Lines.Single(), $"{key.Bits} {key.Sha256Fingerprint} {parsed.Comment} ({key.Type.DisplayName})");
        Assert.Equal(SshCertificateKind.User, key.Certificate!.Kind);
        Assert.Equal(["deploy"], key.Certificate.Principals);
        Assert.Equal("test-id", key.Certificate.KeyId);
    }

    [Fact]
    public void Security_key_certificate_built_by_hand_is_decoded()
    {
        var ed = WireBuilder.Fields(Convert.FromBase64String(SshKeygen.Generate("ed25519").Split(' ')[1]));
        var principals = new WireBuilder().String("alice").ToArray();
        string blob = new WireBuilder()
            .String("sk-ssh-ed25519-cert-v01@openssh.com").String(new byte[32]).String(ed[1]).String("ssh:")
            .UInt64(7).UInt32(1).String("key-id").String(principals).UInt64(0).UInt64(ulong.MaxValue)
            .String("").String("").String("").String(new WireBuilder().String("ssh-ed25519").String(ed[1]).ToArray()).String(new byte[83])
            .ToBase64();

        var parsed = AuthorizedKeyLineParser.Parse("sk-ssh-ed25519-cert-v01@openssh.com " + blob);

        Assert.True(parsed.IsKey, parsed.ErrorMessage);
        Assert.Equal("ED25519-SK-CERT", parsed.Key!.Type.DisplayName);
        Assert.Equal(WireBuilder.SkEd25519Line("ssh-ed25519 " + new WireBuilder().String("ssh-ed25519").String(ed[1]).ToBase64()).Split(' ')[1],
            Convert.ToBase64String(parsed.Key.PlainBlob()));
    }

    [Fact]
    public void Wrong_type_token_is_a_type_mismatch_and_ssh_keygen_agrees()
    {
        string ed = SshKeygen.Generate("ed25519");
        string line = "ssh-rsa " + ed.Split(' ')[1];
        AssertRejected(line, ReasonCode.TypeMismatch);
    }

    [Theory]
    [InlineData("rsa-sha2-256")]
    [InlineData("rsa-sha2-512")]
    public void An_rsa_signature_algorithm_as_the_blobs_own_type_is_the_ssh_rsa_key_as_ssh_keygen_reads_it(string inner)
    {
        string rsa = SshKeygen.Generate("rsa", 2048);
        string blob = WireBuilder.RsaWithInnerType(rsa, inner);

        var key = SshPublicKeyDecoder.Decode("ssh-rsa", blob);

        Assert.Equal(inner, key.BlobTypeAlias);
        Assert.Equal(SshPublicKeyDecoder.Decode("ssh-rsa", rsa.Split(' ')[1]), key);
        Assert.Equal(rsa.Split(' ')[1], key.Base64);
        Assert.Equal(SshKeygen.Fingerprint(rsa + "\n").Lines.Single().Split(' ')[1], key.Sha256Fingerprint);
        Assert.True(SshKeygen.Accepts("ssh-rsa " + blob));
    }

    [Theory]
    [InlineData("ssh-ed25519", "rsa-sha2-256")]
    [InlineData("ssh-dss", "rsa-sha2-512")]
    [InlineData("ssh-rsa", "rsa-sha2-256-cert-v01@openssh.com")]
    public void An_rsa_signature_algorithm_inside_a_blob_of_another_type_stays_a_type_mismatch(string lineType, string inner)
    {
        string blob = WireBuilder.RsaWithInnerType(SshKeygen.Generate("rsa", 2048), inner);
        var e = Assert.Throws<KeyFormatException>(() => SshPublicKeyDecoder.Decode(lineType, blob));
        Assert.Equal(ReasonCode.TypeMismatch, e.Reason);
        Assert.Contains($"line says {lineType} but the key blob is {inner}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ecdsa_curve_must_match_the_type()
    {
        string p256 = SshKeygen.Generate("ecdsa", 256);
        var fields = WireBuilder.Fields(Convert.FromBase64String(p256.Split(' ')[1]));
        string blob = new WireBuilder().String("ecdsa-sha2-nistp256").String("nistp384").String(fields[2]).ToBase64();
        AssertRejected("ecdsa-sha2-nistp256 " + blob, ReasonCode.TypeMismatch);
    }

    [Fact]
    public void Ecdsa_point_not_on_the_curve_is_invalid()
    {
        string p256 = SshKeygen.Generate("ecdsa", 256);
        var fields = WireBuilder.Fields(Convert.FromBase64String(p256.Split(' ')[1]));
        byte[] point = fields[2];
        point[^1] ^= 0x01;
        string blob = new WireBuilder().String("ecdsa-sha2-nistp256").String("nistp256").String(point).ToBase64();
        AssertRejected("ecdsa-sha2-nistp256 " + blob, ReasonCode.InvalidKey);
    }

    [Fact]
    public void Compressed_ecdsa_point_is_invalid()
    {
        string p256 = SshKeygen.Generate("ecdsa", 256);
        var fields = WireBuilder.Fields(Convert.FromBase64String(p256.Split(' ')[1]));
        byte[] compressed = [(byte)(2 + (fields[2][^1] & 1)), .. fields[2].AsSpan(1, 32)];
        string blob = new WireBuilder().String("ecdsa-sha2-nistp256").String("nistp256").String(compressed).ToBase64();
        AssertRejected("ecdsa-sha2-nistp256 " + blob, ReasonCode.InvalidKey);
    }

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("rsa", 2048)]
    [InlineData("ecdsa", 521)]
    public void Truncated_blob_is_rejected(string type, int bits)
    {
        string line = SshKeygen.Generate(type, bits);
        byte[] blob = Convert.FromBase64String(line.Split(' ')[1]);
        AssertRejected($"{line.Split(' ')[0]} {Convert.ToBase64String(blob[..^5])}", ReasonCode.TruncatedBlob);
    }

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("rsa", 3072)]
    [InlineData("ecdsa", 384)]
    public void Trailing_bytes_are_rejected(string type, int bits)
    {
        string line = SshKeygen.Generate(type, bits);
        byte[] blob = [.. Convert.FromBase64String(line.Split(' ')[1]), 0, 0, 0, 0];
        AssertRejected($"{line.Split(' ')[0]} {Convert.ToBase64String(blob)}", ReasonCode.TrailingBytes);
    }

    [Fact]
    public void Base64_with_a_foreign_character_is_bad_base64()
    {
        string line = SshKeygen.Generate("ed25519");
        string b64 = line.Split(' ')[1];
        AssertRejected($"ssh-ed25519 {b64[..10]}*{b64[11..]}", ReasonCode.BadBase64);
    }

    [Fact]
    public void Base64_with_non_zero_padding_bits_is_bad_base64()
    {
        // A P-256 blob is 104 bytes, so its base64 ends in one '=' with two unused bits before it.
        string line = SshKeygen.Generate("ecdsa", 256);
        string b64 = line.Split(' ')[1];
        Assert.EndsWith("=", b64);
        int pad = b64.EndsWith("==", StringComparison.Ordinal) ? 2 : 1;
        char last = b64[^(pad + 1)];
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char altered = Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) ^ 1];
        string mutated = b64[..^(pad + 1)] + altered + new string('=', pad);
        string mutatedLine = "ecdsa-sha2-nistp256 " + mutated;
        Assert.Equal(ReasonCode.BadBase64, AuthorizedKeyLineParser.Parse(mutatedLine).Error);
        Assert.False(SshKeygen.Accepts(mutatedLine));
    }

    [Fact]
    public void Every_single_character_flip_of_a_key_is_judged_like_ssh_keygen()
    {
        string line = SshKeygen.Generate("ed25519", comment: "flip");
        string b64 = line.Split(' ')[1];
        var random = new Random(4);
        for (int trial = 0; trial < 12; trial++)
        {
            int at = random.Next(b64.Length - 2);
            char replacement = b64[at] == 'A' ? 'B' : 'A';
            string mutated = $"ssh-ed25519 {b64[..at]}{replacement}{b64[(at + 1)..]} flip";
            var parsed = AuthorizedKeyLineParser.Parse(mutated);
            Assert.Equal(SshKeygen.Accepts(mutated), parsed.IsKey);
        }
    }

    [Fact]
    public void Dsa_is_decoded_so_it_can_be_named()
    {
        var key = AuthorizedKeyLineParser.Parse(SshKeygen.Generate("dsa", 1024)).Key!;
        Assert.Equal(SshKeyAlgorithm.Dsa, key.Type.Algorithm);
        Assert.Equal(1024, key.Bits);
    }

    [Fact]
    public void Keys_compare_by_blob_not_by_comment()
    {
        string line = SshKeygen.Generate("ed25519");
        var a = AuthorizedKeyLineParser.Parse(line.Split(' ')[0] + " " + line.Split(' ')[1] + " alice").Key!;
        var b = AuthorizedKeyLineParser.Parse("no-pty " + line.Split(' ')[0] + " " + line.Split(' ')[1] + " bob").Key!;
        var other = AuthorizedKeyLineParser.Parse(SshKeygen.Generate("ed25519", comment: "another")).Key!;
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, other);
    }

    private static void AssertRejected(string line, ReasonCode expected)
    {
        var parsed = AuthorizedKeyLineParser.Parse(line);
        Assert.False(parsed.IsKey);
        Assert.Equal(expected, parsed.Error);
        Assert.False(SshKeygen.Accepts(line), "ssh-keygen accepts a line we reject: " + line);
    }
}
