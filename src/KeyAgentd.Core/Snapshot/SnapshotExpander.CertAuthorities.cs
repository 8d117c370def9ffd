using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// An account's `cert_authorities` become ordinary desired keys whose options start with
/// <c>cert-authority,principals="…"</c>: the planner, the renderer, the helper cache, the removal guard
/// and the revocation filter then treat a CA line exactly as a key line, with no second path to get wrong.
/// </summary>
public static partial class SnapshotExpander
{
    /// <summary>The options keyagentd itself puts on a CA line; a grant's own options may not set them.</summary>
    private static readonly string[] AuthorityOptionNames = ["cert-authority", "principals"];

    private sealed partial class AccountExpansion
    {
        private void ConsiderAuthority(CertificateAuthorityGrant grant)
        {
            var parsed = Parse(grant.Key);
            var (verdict, desired) = JudgeAuthority(grant, parsed);
            if (verdict is not null)
            {
                rejections.Add(KeyRejection.Create(account, grant.Name, CertificateAuthorityGrant.Label, grant.Key, parsed.Key?.Sha256Fingerprint, verdict));
                return;
            }
            // A key already on the account (as a person's key, or under another CA name) keeps its first line.
            if (_seen.Add(desired!.Key))
            {
                _desired.Add(desired);
            }
        }

        private (Verdict? Verdict, DesiredKey? Desired) JudgeAuthority(CertificateAuthorityGrant grant, AuthorizedKeyLine parsed)
        {
            if (SafeText.ContainsControl(grant.Name) || grant.Name.Contains(' ', StringComparison.Ordinal))
            {
                return (new Verdict(ReasonCode.ControlCharacter, "the CA name contains a blank or a control character"), null);
            }
            if (!parsed.IsKey)
            {
                return (policy.Evaluate(parsed, now), null);
            }
            if (SafeText.ContainsControl(parsed.Raw))
            {
                return (new Verdict(ReasonCode.ControlCharacter, "the CA key line contains a control or line-separator character"), null);
            }
            var key = parsed.Key!;
            if (key.Type.IsCertificate)
            {
                return (new Verdict(ReasonCode.CertificateNotAllowed,
                    $"CA {grant.Name}: {key.TypeName} is a certificate; a CA is trusted by its own public key (the .pub of the key ssh-keygen -s signs with)"), null);
            }
            if (parsed.Options.Count > 0)
            {
                return (new Verdict(ReasonCode.MalformedOptions, $"CA {grant.Name}: the key line carries options of its own; a CA line's options are the grant's"), null);
            }
            if (PrincipalProblem(grant) is { } principalProblem)
            {
                return (principalProblem, null);
            }
            if (GrantOptions(grant, out var ruleOptions) is { } optionsProblem)
            {
                return (optionsProblem, null);
            }
            // The grant's options judged as the policy judges a key's: type, size, revocation, allowed
            // options, expiry. cert-authority and principals are keyagentd's own and come after.
            if (!TryReparse(ruleOptions, key, grant.Name, out var judged, out var renderProblem))
            {
                return (renderProblem, null);
            }
            var verdict = policy.Evaluate(judged, now, grant.NotAfter);
            if (!verdict.Accepted)
            {
                return (verdict with { Message = $"CA {grant.Name}: {verdict.Message}" }, null);
            }
            List<KeyOption> options =
            [
                KeyOption.Flag("cert-authority"),
                new KeyOption("principals", string.Join(',', grant.Principals.Distinct(StringComparer.Ordinal))),
                .. ruleOptions,
            ];
            if (grant.NotAfter is { } notAfter)
            {
                options.Add(new KeyOption("expiry-time", ExpiryTimeFormat.Format(notAfter)));
            }
            if (!TryReparse(new KeyOptions(options), key, grant.Name, out var final, out renderProblem))
            {
                return (renderProblem, null);
            }
            return (null, new DesiredKey(final.Key!, final.Options, grant.Name, grant.Name, CertificateAuthorityGrant.Label, grant.NotAfter));
        }

        /// <summary>
        /// No principals is refused, not written: sshd reads a cert-authority line without principals=
        /// as "any certificate that names the account itself", which no grant said.
        /// </summary>
        private static Verdict? PrincipalProblem(CertificateAuthorityGrant grant)
        {
            if (grant.Principals.Count == 0)
            {
                return new Verdict(ReasonCode.InvalidPrincipal,
                    $"CA {grant.Name} is granted for no principal; sshd would then admit any certificate naming the account itself");
            }
            foreach (string principal in grant.Principals)
            {
                if (CertificatePrincipal.Problem(principal) is { } why)
                {
                    return new Verdict(ReasonCode.InvalidPrincipal, $"CA {grant.Name}: {why}");
                }
            }
            return null;
        }

        private static Verdict? GrantOptions(CertificateAuthorityGrant grant, out KeyOptions options)
        {
            options = KeyOptions.Empty;
            string? text = grant.Options;
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }
            if (SafeText.ContainsControl(text))
            {
                return new Verdict(ReasonCode.ControlCharacter, $"CA {grant.Name}: the options contain a control character");
            }
            if (!KeyOptionsParser.TryParse(text.Trim(' '), out var parsed, out string? error))
            {
                return new Verdict(ReasonCode.MalformedOptions, $"CA {grant.Name}: options \"{SafeText.Escape(text, 120)}\": {error}");
            }
            if (parsed.FirstOrDefault(o => AuthorityOptionNames.Contains(o.Name)) is { } own)
            {
                return new Verdict(ReasonCode.MalformedOptions, $"CA {grant.Name}: option {own.Name} is written by keyagentd from the grant itself");
            }
            options = parsed;
            return null;
        }
    }
}
