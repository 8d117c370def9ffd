using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.HelperCache;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// The optional sshd-side files for sites that configure sshd with TrustedUserCAKeys and
/// AuthorizedPrincipalsFile/Command instead of cert-authority lines, derived from the very plans the
/// homes and caches are written from: the CA lines the planner rendered, never a second reading of the
/// registry. Pure: the caller writes the texts.
/// </summary>
public static class CertificateTrustFiles
{
    public const string TrustedCaKeysHeader = "# Managed by keyagentd: every CA an account on this host admits (Sshd:TrustedUserCAKeysFile); rewritten every sync.";

    /// <summary>Whether a planned key is a CA line (what the expander makes of a cert_authorities grant).</summary>
    public static bool IsAuthority(DesiredKey key) => key.Options.Contains("cert-authority");

    /// <summary>
    /// TrustedUserCAKeys: each CA key any planned account admits, once, without options (sshd reads plain
    /// keys there), sorted by fingerprint so an unchanged set is byte-identical.
    /// </summary>
    public static string TrustedCaKeys(IEnumerable<AccountPlan> plans)
    {
        var text = new StringBuilder(TrustedCaKeysHeader).Append('\n');
        foreach (var authority in plans.Where(p => p.Mode != OwnershipMode.Report && p.Error is null)
            .SelectMany(p => p.Kept.Concat(p.Added)).Where(IsAuthority)
            .DistinctBy(k => k.Key).OrderBy(k => k.Fingerprint, StringComparer.Ordinal))
        {
            text.Append(AuthorizedKeyLine.Render(KeyOptions.Empty, authority.Key, authority.Owner)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The account's AuthorizedPrincipalsFile once its plan is applied; empty when it admits no certificate.</summary>
    public static string Principals(AccountPlan plan, DateTimeOffset now, TimeZoneInfo localZone)
    {
        var authorities = plan.Kept.Concat(plan.Added).Where(IsAuthority).ToList();
        return authorities.Count == 0 ? "" : PrincipalLines.Render(AuthorizedKeysRenderer.RenderLines(authorities, []), now, localZone);
    }

    /// <summary>
    /// A TrustedUserCAKeys text with every revoked CA taken out, for a cycle that writes nothing else (the
    /// removal guard tripped): revocation always wins. Other lines are kept as they are.
    /// </summary>
    public static string WithoutRevoked(string text, Withdrawals withdrawn)
    {
        var kept = new StringBuilder();
        foreach (string line in text.Split('\n'))
        {
            var parsed = AuthorizedKeyLineParser.Parse(line);
            if (parsed.IsKey && withdrawn.IsRevoked(parsed.Key!))
            {
                continue;
            }
            kept.Append(line).Append('\n');
        }
        return kept.ToString()[..^1];
    }
}
