using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

/// <summary>TrustedUserCAKeys and the principals files, derived from the plans the homes are written from.</summary>
public class CertificateTrustFilesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static string OpsCa => SshKeygen.Generate("ed25519", 0, "ops-ca");
    private static string CiCa => SshKeygen.Generate("ecdsa", 256, "ci-ca");

    private static DesiredKey Authority(string caLine, string name, string options) => Desired(caLine, owner: name, label: CertificateAuthorityGrant.Label, options: options);

    private static AccountPlan Plan(string account, params DesiredKey[] keys) =>
        Planner.Plan(new PlanInput(account, keys, OwnershipMode.Exclusive));

    [Fact]
    public void Trusted_ca_keys_lists_each_admitted_ca_once_without_options_whatever_the_accounts()
    {
        var plans = new[]
        {
            Plan("root", Desired(Alice), Authority(OpsCa, "ops-ca", "cert-authority,principals=\"alice\",no-pty")),
            Plan("deploy", Authority(OpsCa, "ops-ca", "cert-authority,principals=\"bob\""), Authority(CiCa, "ci-ca", "cert-authority,principals=\"deploy-bot\"")),
        };

        string text = CertificateTrustFiles.TrustedCaKeys(plans);

        var lines = AuthorizedKeyLineParser.ParseAll(text).Where(l => l.IsKey).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Empty(l.Options));
        Assert.Equal(text, CertificateTrustFiles.TrustedCaKeys(plans.Reverse()));
        Assert.DoesNotContain(string.Join(' ', Alice.Split(' ')[..2]), text, StringComparison.Ordinal);
        Assert.StartsWith(CertificateTrustFiles.TrustedCaKeysHeader + "\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_accounts_principals_file_has_its_principals_with_their_options_and_none_without_ca()
    {
        var root = Plan("root", Desired(Alice), Authority(OpsCa, "ops-ca", "cert-authority,principals=\"alice,bob\",no-pty"));
        Assert.Equal("no-pty alice\nno-pty bob\n", CertificateTrustFiles.Principals(root, Now, TimeZoneInfo.Utc));
        Assert.Equal("", CertificateTrustFiles.Principals(Plan("dev", Desired(Bob)), Now, TimeZoneInfo.Utc));
    }

    [Fact]
    public void A_revoked_ca_is_taken_out_of_trusted_ca_keys_and_the_rest_kept_as_it_was()
    {
        string text = CertificateTrustFiles.TrustedCaKeys([Plan("root", Authority(OpsCa, "ops-ca", "cert-authority,principals=\"a\""), Authority(CiCa, "ci-ca", "cert-authority,principals=\"b\""))]);
        var revoked = Withdrawals.From([AuthorizedKeyLineParser.Parse(OpsCa).Key!.Sha256Fingerprint], []);

        string kept = CertificateTrustFiles.WithoutRevoked(text, revoked);

        Assert.DoesNotContain(OpsCa.Split(' ')[1], kept, StringComparison.Ordinal);
        Assert.Contains(CiCa.Split(' ')[1], kept, StringComparison.Ordinal);
        Assert.Equal(text, CertificateTrustFiles.WithoutRevoked(text, Withdrawals.None));
    }
}
