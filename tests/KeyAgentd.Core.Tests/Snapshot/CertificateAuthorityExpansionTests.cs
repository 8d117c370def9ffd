using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

/// <summary>An account's cert_authorities: what reaches authorized_keys as cert-authority lines, and what is refused.</summary>
public class CertificateAuthorityExpansionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly KeyPolicy Policy = new(null, TimeZoneInfo.Utc);
    private static string OpsCa => SshKeygen.Generate("ed25519", 0, "ops-ca");
    private static string Alice => SshKeygen.Generate("ed25519", 0, "alice");

    private static string Fingerprint(string line) => AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;

    private static DesiredState Expand(string[]? revoked = null, params CertificateAuthorityGrant[] grants) =>
        SnapshotExpander.Expand(new RegistrySnapshot(RegistrySnapshot.SchemaV1, 1, null, null, new Dictionary<string, RegistryPerson>(),
            new Dictionary<string, RegistryAccount> { ["root"] = new([], null, []) { CertAuthorities = grants } }, revoked ?? []), Policy, Now);

    private static CertificateAuthorityGrant Grant(string[] principals, string? options = null, DateTimeOffset? notAfter = null, string? key = null) =>
        new("ops-ca", key ?? OpsCa, principals, options, notAfter);

    [Fact]
    public void A_grant_becomes_one_cert_authority_line_with_its_principals_then_its_options_then_the_expiry()
    {
        var state = Expand(null, Grant(["alice", "bob"], "no-pty,from=\"10.0.0.0/8\"", new DateTimeOffset(2027, 3, 31, 0, 0, 0, TimeSpan.Zero)));

        Assert.Empty(state.Rejections);
        var line = Assert.Single(state.Accounts["root"]);
        Assert.Equal(("ops-ca", CertificateAuthorityGrant.Label, Fingerprint(OpsCa)), (line.Owner, line.Label, line.Fingerprint));
        Assert.Equal("cert-authority,principals=\"alice,bob\",no-pty,from=\"10.0.0.0/8\",expiry-time=\"20270331000000Z\" " +
            string.Join(' ', OpsCa.Split(' ')[..2]) + " ops-ca", line.Render());
        Assert.True(SshKeygen.Accepts(line.Render()));
    }

    [Fact]
    public void No_principal_is_refused_not_written_since_sshd_would_then_match_the_account_name()
    {
        var state = Expand(null, Grant([]));

        Assert.Empty(state.Accounts["root"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal((ReasonCode.InvalidPrincipal, "ops-ca", Fingerprint(OpsCa)), (rejection.Verdict.Reason, rejection.Owner, rejection.Fingerprint));
    }

    [Theory]
    [InlineData("alice,root")]
    [InlineData("alice\"")]
    [InlineData("alice root")]
    [InlineData("alice\troot")]
    [InlineData("alice\nroot")]
    [InlineData("ali\\ce")]
    [InlineData("#alice")]
    [InlineData("")]
    public void A_principal_sshd_could_not_match_as_written_refuses_the_grant(string principal)
    {
        var state = Expand(null, Grant(["bob", principal]));

        Assert.Empty(state.Accounts["root"]);
        Assert.Equal(ReasonCode.InvalidPrincipal, Assert.Single(state.Rejections).Verdict.Reason);
        Assert.DoesNotContain('\n', Assert.Single(state.Rejections).ToString());
    }

    [Fact]
    public void A_certificate_given_as_the_ca_key_is_refused()
    {
        var state = Expand(null, Grant(["alice"], key: SshKeygen.SignUserCertificate(Alice)));

        Assert.Empty(state.Accounts["root"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal(ReasonCode.CertificateNotAllowed, rejection.Verdict.Reason);
        Assert.Contains("ops-ca", rejection.Verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ca_key_meets_the_key_policy_as_any_key_does()
    {
        var state = Expand(null, Grant(["alice"], key: SshKeygen.Generate("rsa", 1024, "small-ca")));
        Assert.Equal(ReasonCode.RsaTooSmall, Assert.Single(state.Rejections).Verdict.Reason);

        state = Expand(null, Grant(["alice"], options: "command=\"/bin/sh\""));
        Assert.Equal(ReasonCode.OptionNotAllowed, Assert.Single(state.Rejections).Verdict.Reason);
    }

    [Theory]
    [InlineData("principals=\"root\"")]
    [InlineData("no-pty,cert-authority")]
    public void The_grants_options_cannot_set_what_keyagentd_writes_from_the_grant(string options)
    {
        var state = Expand(null, Grant(["alice"], options));
        Assert.Equal(ReasonCode.MalformedOptions, Assert.Single(state.Rejections).Verdict.Reason);
        Assert.Empty(state.Accounts["root"]);
    }

    [Fact]
    public void A_ca_key_line_with_options_of_its_own_is_refused()
    {
        var state = Expand(null, Grant(["alice"], key: "cert-authority,principals=\"root\" " + OpsCa));
        Assert.Equal(ReasonCode.MalformedOptions, Assert.Single(state.Rejections).Verdict.Reason);
    }

    [Fact]
    public void A_revoked_ca_is_never_written_and_its_line_goes_as_revoked_past_the_guard()
    {
        var state = Expand([Fingerprint(OpsCa)], Grant(["alice"]));

        Assert.Empty(state.Accounts["root"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal(ReasonCode.Revoked, rejection.Verdict.Reason);
        var written = Expand(null, Grant(["alice"])).Accounts["root"][0].Render();
        var withdrawn = Withdrawals.From([Fingerprint(OpsCa)], state.Rejections);
        var plan = Planner.Plan(new PlanInput("root", state.Accounts["root"], OwnershipMode.Exclusive)
        {
            CurrentFile = AuthorizedKeysRenderer.ExclusiveHeader + "\n" + written + "\n",
            Withdrawn = withdrawn,
        });
        Assert.Equal(RemovalReason.Revoked, Assert.Single(plan.Removed).Reason);
        Assert.Equal(AuthorizedKeysRenderer.ExclusiveHeader + "\n", plan.FileText);
        var guard = RemovalGuard.Evaluate([plan], new RemovalLimits(0, 0));
        Assert.False(guard.Tripped);
    }

    [Fact]
    public void An_expired_grant_is_not_written_and_its_line_goes_as_expired()
    {
        var state = Expand(null, Grant(["alice"], notAfter: Now.AddDays(-1)));

        Assert.Empty(state.Accounts["root"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal((ReasonCode.Expired, Fingerprint(OpsCa)), (rejection.Verdict.Reason, rejection.Fingerprint));
        Assert.Equal(RemovalReason.Expired, Withdrawals.From([], state.Rejections).ReasonFor("root", AuthorizedKeyLineParser.Parse(OpsCa).Key!));
    }

    [Fact]
    public void A_grant_removed_upstream_is_a_removal_the_guard_counts_like_a_key()
    {
        var written = Expand(null, Grant(["alice"])).Accounts["root"][0].Render();
        var plan = Planner.Plan(new PlanInput("root", [], OwnershipMode.Exclusive) { CurrentFile = AuthorizedKeysRenderer.ExclusiveHeader + "\n" + written + "\n" });

        Assert.Equal(RemovalReason.NotGranted, Assert.Single(plan.Removed).Reason);
        var guard = RemovalGuard.Evaluate([plan], new RemovalLimits(50, 1));
        Assert.True(guard.Tripped);
        Assert.Equal(1, guard.Removed);
    }
}
