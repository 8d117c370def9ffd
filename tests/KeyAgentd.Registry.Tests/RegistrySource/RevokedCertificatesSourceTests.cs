using KeyAgentd.Cli;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// Certificate revocations in the source's `revoked` file: into every document, refused with a code
/// when the CA is not one the policy allows, and shown by `diff` as added and lifted.
/// </summary>
public sealed class RevokedCertificatesSourceTests
{
    private static readonly KeyPolicy Policy = new(null, TimeZoneInfo.Utc);

    [Fact]
    public void Serial_and_key_id_revocations_reach_every_document_once_per_ca()
    {
        using var ca = new TestCertificateAuthority();
        using var source = SourceFixture.Standard().File("revoked", $"""
            # compromised laptop, and a batch issued by a broken CI job
            key-id "alice@laptop" ca {ca.PublicLine}
            serial 10-20 ca {ca.PublicLine}
            serial 15-25 ca {ca.PublicLine}
            serial 3 ca {ca.PublicLine}
            """);
        var compiler = source.Compile();
        Assert.Empty(compiler.Problems);

        new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now)).Build(source.Read(), source.Output, signer: null);

        foreach (string host in new[] { "web-01", "web-02", "dev-01" })
        {
            Assert.True(RegistrySnapshotParser.TryParse(File.ReadAllBytes(source.DocumentPath(host)), out var snapshot, out var error), error?.Message);
            var entry = Assert.Single(snapshot.RevokedCertificates);
            Assert.Equal(ca.KeyText, entry.CaText);
            Assert.Equal([new SerialRange(3, 3), new SerialRange(10, 25)], entry.Serials);
            Assert.Equal(["alice@laptop"], entry.KeyIds);
        }
    }

    [Theory]
    [InlineData("dsa", 1024, "dsa-not-allowed")]
    [InlineData("rsa", 1024, "rsa-too-small")]
    public void A_ca_the_policy_refuses_is_an_error_at_its_line(string type, int bits, string policyCode)
    {
        string weakCa = SshKeygen.Generate(type, bits, "weak ca");
        using var source = SourceFixture.Standard().File("revoked", $"# weak\nserial 5 ca {weakCa}\n");

        var problem = Assert.Single(source.Compile().Problems);

        Assert.Equal("revocation-ca-refused", problem.Code);
        Assert.Equal(2, problem.Location.Line);
        Assert.Contains(policyCode, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_shows_certificate_revocations_added_and_lifted()
    {
        using var ca = new TestCertificateAuthority();
        using var source = SourceFixture.Standard().File("revoked", $"serial 7 ca {ca.PublicLine}\nkey-id \"old\u00e9 id\" ca {ca.PublicLine}\n");
        var build = new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now) { Limits = new RemovalLimits(100, 1000) });
        build.Build(source.Read(), source.Output, signer: null);
        string before = Path.Combine(source.Scratch, "before");
        Directory.CreateDirectory(before);
        foreach (string file in Directory.GetFiles(source.Output))
        {
            File.Copy(file, Path.Combine(before, Path.GetFileName(file)));
        }
        source.File("revoked", $"serial 7 ca {ca.PublicLine}\nkey-id \"alice@laptop\" ca {ca.PublicLine}\nserial 100-200 ca {ca.PublicLine}\n");
        build.Build(source.Read(), source.Output, signer: null);
        var stdout = new StringWriter();
        var json = new StringWriter();

        Assert.Equal(0, TreeDiffReport.Write(before, source.Output, new DocumentDiffer(Policy, SourceFixture.Now, new RemovalLimits()), false, stdout, TextWriter.Null));
        TreeDiffReport.Write(before, source.Output, new DocumentDiffer(Policy, SourceFixture.Now, new RemovalLimits()), true, json, TextWriter.Null);

        string caFingerprint = SshKeygen.Fingerprint(ca.PublicLine + "\n").Lines.Single().Split(' ')[1];
        string text = stdout.ToString();
        Assert.Contains($"  x certificates revoked: key-id \"alice@laptop\" under CA {caFingerprint} ssh-ed25519\n", text, StringComparison.Ordinal);
        Assert.Contains($"  x certificates revoked: serial 100-200 under CA {caFingerprint}", text, StringComparison.Ordinal);
        Assert.Contains($"  + certificates no longer revoked: key-id \"old\u00e9 id\" under CA {caFingerprint}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("serial 7 ", text, StringComparison.Ordinal);
        Assert.EndsWith("; certificate revocations: 6 added, 3 lifted\n", text, StringComparison.Ordinal);
        Assert.Contains("\"change\": \"lifted\"", json.ToString(), StringComparison.Ordinal);
    }
}
