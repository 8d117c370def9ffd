using System.Text;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>cas.yaml and access.yaml rules with cas: what validate reports, what build writes, what diff shows.</summary>
public sealed class CertificateSourceTests
{
    private static readonly KeyPolicy Policy = new(null, TimeZoneInfo.Utc);
    private static readonly string OpsCa = SshKeygen.Generate("ed25519", comment: "ops-ca");
    private static readonly string CiCa = SshKeygen.Generate("ecdsa", 256, comment: "ci-ca");

    /// <summary>The standard source plus two CAs: ops certificates for root (principals from the ops group, alice's overridden), ci certificates for deploy.</summary>
    private static SourceFixture WithCertificates(string? extraRules = null)
    {
        var source = SourceFixture.Standard()
            .Person("alice@example.com", "# principal=alice", $"{SourceFixture.Alice} # label=laptop")
            .File("cas.yaml", $$"""
                ops-ca:
                  key: {{OpsCa}}
                  comment: the ops team's CA
                ci-ca:
                  key: {{CiCa}}
                  not_after: 2030-01-01
                """);
        source.File("access.yaml", source.Text("access.yaml") + "\n" + $$"""
              - description: ops log in as root with ops certificates
                hosts: ["*"]
                accounts: [root]
                cas: [ops-ca]
                groups: [ops]
                options: no-agent-forwarding,no-pty
              - labels: { role: web }
                accounts: [deploy]
                cas: [ci-ca]
                principals: [deploy-bot]
            {{extraRules}}
            """);
        return source;
    }

    private static IEnumerable<string> Codes(SourceCompiler compiler) => compiler.Problems.Select(p => $"{p.Severity.ToString().ToLowerInvariant()} {p.Code} at {p.Location}");

    [Fact]
    public void A_clean_source_builds_each_accounts_cas_with_their_principals_options_and_not_after()
    {
        using var source = WithCertificates();
        var compiler = source.Compile();
        Assert.Empty(Codes(compiler));

        var web = compiler.Compile(compiler.Hosts.Single(h => h.Name == "web-01"));
        var ops = Assert.Single(web.Accounts["root"].CertAuthorities);
        Assert.Equal(("ops-ca", OpsCa, "no-agent-forwarding,no-pty", (DateTimeOffset?)null), (ops.Name, ops.Key, ops.Options, ops.NotAfter));
        Assert.Equal(["alice", "bob@example.com"], ops.Principals);
        // The key rule's options stay the account's: a certificate rule has its own.
        Assert.Equal("no-agent-forwarding", web.Accounts["root"].Options);
        var ci = Assert.Single(web.Accounts["deploy"].CertAuthorities);
        Assert.Equal(["deploy-bot"], ci.Principals);
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 0, 0, 0, TimeSpan.Zero), ci.NotAfter);
        Assert.Empty(compiler.Compile(compiler.Hosts.Single(h => h.Name == "dev-01")).Accounts["dev"].CertAuthorities);
    }

    [Fact]
    public void Validate_names_an_unknown_ca_a_certificate_as_ca_key_and_a_policy_refused_ca_key()
    {
        using var source = WithCertificates("""
              - hosts: ["*"]
                accounts: [root]
                cas: [nobody-ca]
                principals: [x]
            """);
        source.File("cas.yaml", source.Text("cas.yaml") + "\n" + $"""
            cert-ca:
              key: {SshKeygen.SignUserCertificate(SourceFixture.Bob)}
            weak-ca:
              key: {SshKeygen.Generate("rsa", 1024, comment: "weak")}
            """);

        var codes = Codes(source.Compile()).ToList();

        Assert.Contains(codes, c => c.StartsWith("error unknown-ca at access.yaml:", StringComparison.Ordinal));
        Assert.Contains(codes, c => c.StartsWith("error certificate-not-allowed at cas.yaml:", StringComparison.Ordinal));
        Assert.Contains(codes, c => c.StartsWith("error rsa-too-small at cas.yaml:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("principals: [\"a,b\"]")]
    [InlineData("principals: [\"a b\"]")]
    [InlineData("principals: ['a\"b']")]
    [InlineData("principals: [\"a\\tb\"]")]
    [InlineData("principals: []")]
    public void Validate_names_a_principal_sshd_could_not_match(string principals)
    {
        using var source = WithCertificates($$"""
              - hosts: ["*"]
                accounts: [backup]
                cas: [ops-ca]
                {{principals}}
            """);
        Assert.Contains(Codes(source.Compile()), c => c.StartsWith("error invalid-principal at access.yaml:", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_names_a_persons_principal_attribute_sshd_could_not_match()
    {
        using var source = WithCertificates();
        source.Person("bob@example.com", "# principal=bob,root", $"{SourceFixture.Bob} # label=desk");
        Assert.Contains("error invalid-principal at people/bob@example.com.keys", Codes(source.Compile()));
    }

    [Fact]
    public void Two_rules_giving_one_account_different_options_for_one_ca_are_an_error()
    {
        using var source = WithCertificates("""
              - hosts: ["web-01"]
                accounts: [root]
                cas: [ops-ca]
                principals: [oncall]
                options: no-pty
            """);
        var compiler = source.Compile();
        var problem = Assert.Single(compiler.Problems);
        Assert.Equal((ProblemSeverity.Error, "conflicting-options"), (problem.Severity, problem.Code));
        Assert.Contains("CA ops-ca", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_rules_with_the_same_options_for_one_ca_add_their_principals_up()
    {
        using var source = WithCertificates("""
              - hosts: ["web-01"]
                accounts: [root]
                cas: [ops-ca]
                principals: [oncall]
                options: no-agent-forwarding,no-pty
            """);
        var compiler = source.Compile();
        Assert.Empty(compiler.Problems);
        Assert.Equal(["alice", "bob@example.com", "oncall"],
            compiler.Compile(compiler.Hosts.Single(h => h.Name == "web-01")).Accounts["root"].CertAuthorities[0].Principals);
    }

    [Fact]
    public void Keys_in_a_certificate_rule_and_cas_set_in_options_are_refused()
    {
        using var source = WithCertificates($$"""
              - hosts: ["*"]
                accounts: [backup]
                cas: [ops-ca]
                principals: [x]
                options: 'principals="root"'
                keys:
                  - { key: {{SourceFixture.Ci}}, owner: ci }
            """);
        var codes = Codes(source.Compile()).ToList();
        Assert.Contains(codes, c => c.StartsWith("error invalid-value at access.yaml:", StringComparison.Ordinal));
        Assert.Contains(codes, c => c.StartsWith("error malformed-options at access.yaml:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_built_document_carries_the_grants_and_a_host_writes_them_as_cert_authority_lines()
    {
        using var source = WithCertificates();
        var build = new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now) { Limits = new RemovalLimits(100, 1000) });
        build.Build(source.Read(), source.Output, signer: null);

        byte[] document = File.ReadAllBytes(source.DocumentPath("web-01"));
        Assert.True(RegistrySnapshotParser.TryParse(document, out var snapshot, out var error), error?.ToString());
        var state = SnapshotExpander.Expand(snapshot, Policy, SourceFixture.Now);
        Assert.Empty(state.Rejections);
        var line = state.Accounts["root"].Single(k => k.Label == CertificateAuthorityGrant.Label).Render();
        Assert.StartsWith("cert-authority,principals=\"alice,bob@example.com\",no-agent-forwarding,no-pty ssh-ed25519 ", line);
        Assert.EndsWith(" ops-ca", line);
        Assert.True(SshKeygen.Accepts(line));
    }

    [Fact]
    public void Diff_shows_a_ca_gained_and_principals_gained_and_lost()
    {
        using var source = WithCertificates();
        var build = new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now) { Limits = new RemovalLimits(100, 1000) });
        build.Build(source.Read(), source.Output, signer: null);
        string before = Path.Combine(source.Scratch, "before");
        Directory.CreateDirectory(before);
        foreach (string file in Directory.GetFiles(source.Output))
        {
            File.Copy(file, Path.Combine(before, Path.GetFileName(file)));
        }
        source.File("groups.yaml", "ops: [alice@example.com, carol@example.com]\ndev: [carol@example.com]\n");
        source.File("access.yaml", source.Text("access.yaml") + "\n" + """
              - hosts: ["dev-01"]
                accounts: [dev]
                cas: [ci-ca]
                principals: [deploy-bot]
            """);
        build.Build(source.Read(), source.Output, signer: null);

        var diff = TreeDiff.Compare(before, source.Output, new DocumentDiffer(Policy, SourceFixture.Now, new RemovalLimits()));

        var web = diff.Documents.Single(d => d.Name == "web-01").Diff.Changes.Single(c => c.Label == CertificateAuthorityGrant.Label);
        Assert.Equal((AccessChangeKind.RestrictionChanged, "ops-ca"), (web.Kind, web.Owner));
        Assert.Equal(["carol@example.com"], web.PrincipalsGained);
        Assert.Equal(["bob@example.com"], web.PrincipalsLost);
        var dev = diff.Documents.Single(d => d.Name == "dev-01").Diff.Changes.Where(c => c.Account == "dev" && c.Label == CertificateAuthorityGrant.Label);
        var gained = Assert.Single(dev);
        Assert.Equal((AccessChangeKind.Gained, "ci-ca"), (gained.Kind, gained.Owner));
        Assert.Equal(["deploy-bot"], gained.PrincipalsGained);
    }
}
