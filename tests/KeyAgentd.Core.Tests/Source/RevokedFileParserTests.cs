using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Source;

/// <summary>The `revoked` file: fingerprints and keys as before, and certificates by serial, range or key ID under a CA.</summary>
public class RevokedFileParserTests
{
    private static readonly string Ca = SshKeygen.Generate("ed25519", comment: "ops ca");

    private static (IReadOnlyList<RevokedEntry> Keys, IReadOnlyList<RevokedCertificateEntry> Certificates, List<SourceProblem> Problems) Parse(params string[] lines)
    {
        var problems = new List<SourceProblem>();
        var keys = RevokedFileParser.Parse("revoked", string.Join('\n', lines) + "\n", problems, out var certificates);
        return (keys, certificates, problems);
    }

    [Fact]
    public void Serials_ranges_and_key_ids_under_a_ca_are_read_beside_fingerprints_and_keys()
    {
        string plain = SshKeygen.Generate("ecdsa", 256);
        var (keys, certificates, problems) = Parse(
            "# revoked by the security team",
            AuthorizedKeyLineParser.Parse(plain).Key!.Sha256Fingerprint,
            Ca,
            $"serial 42 ca {Ca}",
            $"serial\t10-20\tca {Ca}",
            $"key-id \"alice@laptop\" ca {Ca}",
            $"key-id \"night \\\"shift\\\" \\\\ ops\" ca {Ca}",
            $"key-id bare-id ca {Ca}");

        Assert.Empty(problems);
        Assert.Equal(2, keys.Count);
        Assert.Equal(AuthorizedKeyLineParser.Parse(Ca).Key!.Sha256Fingerprint, keys[1].Fingerprint);
        Assert.Equal([new SerialRange(42, 42), new SerialRange(10, 20)], certificates.Where(c => c.Serials is not null).Select(c => c.Serials!.Value));
        Assert.Equal(["alice@laptop", "night \"shift\" \\ ops", "bare-id"], certificates.Where(c => c.KeyId is not null).Select(c => c.KeyId));
        Assert.All(certificates, c => Assert.Equal(AuthorizedKeyLineParser.Parse(Ca).Key, c.Ca));
        Assert.Equal(4, certificates[0].Location.Line);
    }

    [Theory]
    [InlineData("serial 0 ca {CA}", "invalid-serial")]
    [InlineData("serial 0-5 ca {CA}", "invalid-serial")]
    [InlineData("serial 20-10 ca {CA}", "invalid-serial")]
    [InlineData("serial -5 ca {CA}", "invalid-serial")]
    [InlineData("serial +5 ca {CA}", "invalid-serial")]
    [InlineData("serial 0x10 ca {CA}", "invalid-serial")]
    [InlineData("serial 18446744073709551616 ca {CA}", "invalid-serial")]
    [InlineData("serial 1-2-3 ca {CA}", "invalid-serial")]
    [InlineData("key-id \"\" ca {CA}", "invalid-key-id")]
    [InlineData("key-id \"esc\u001b[2J\" ca {CA}", "invalid-key-id")]
    [InlineData("key-id \"c1\u009b\" ca {CA}", "invalid-key-id")]
    [InlineData("key-id \"sep\u2028\" ca {CA}", "invalid-key-id")]
    [InlineData("serial 42", "malformed-revocation")]
    [InlineData("serial", "malformed-revocation")]
    [InlineData("key-id", "malformed-revocation")]
    [InlineData("serial 42 {CA}", "malformed-revocation")]
    [InlineData("serial 42 ca", "malformed-revocation")]
    [InlineData("serial 42 ca SHA256:abc", "malformed-revocation")]
    [InlineData("key-id \"open ca {CA}", "malformed-revocation")]
    [InlineData("key-id a\"b ca {CA}", "malformed-revocation")]
    [InlineData("serial 42 ca no-pty {CA}", "malformed-revocation")]
    [InlineData("serial 42 ca {CERT}", "revocation-ca-refused")]
    public void A_malformed_line_is_an_error_with_its_code_and_revokes_nothing(string template, string code)
    {
        using var ca = new TestCertificateAuthority();
        string line = template.Replace("{CA}", Ca, StringComparison.Ordinal)
            .Replace("{CERT}", ca.Issue(SshKeygen.Generate("ed25519"), "x", 1, ["x"]), StringComparison.Ordinal);

        var (keys, certificates, problems) = Parse("# header", line);

        var problem = Assert.Single(problems);
        Assert.Equal(code, problem.Code);
        Assert.Equal(2, problem.Location.Line);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.NotEmpty(problem.Fix);
        Assert.Empty(keys);
        Assert.Empty(certificates);
    }

    [Fact]
    public void Ranges_are_merged_and_key_ids_sorted_so_equal_revocations_are_equal_documents()
    {
        var ca = AuthorizedKeyLineParser.Parse(Ca).Key!;
        var merged = RevokedCertificates.Canonical([
            new RevokedCertificates(ca, [new(10, 14), new(3, 3)], ["b"]),
            new RevokedCertificates(ca, [new(15, 20), new(12, 13), new(ulong.MaxValue - 1, ulong.MaxValue), new(ulong.MaxValue, ulong.MaxValue)], ["a", "b"]),
        ]);

        var entry = Assert.Single(merged);
        Assert.Equal([new SerialRange(3, 3), new SerialRange(10, 20), new SerialRange(ulong.MaxValue - 1, ulong.MaxValue)], entry.Serials);
        Assert.Equal(["a", "b"], entry.KeyIds);
        Assert.Equal("10-20", entry.Serials[1].ToString());
    }
}
