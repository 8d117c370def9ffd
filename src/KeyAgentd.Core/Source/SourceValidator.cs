using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// The checks of a source that do not need a host: every key through the daemon's own line parser
/// and <see cref="KeyPolicy"/>, shared keys, names that do not resolve, options the policy refuses,
/// rules that select nothing. Per-host checks (the daemon's expansion of each document) are
/// <see cref="SourceCompiler"/>'s <c>CheckDocuments</c>.
/// </summary>
internal sealed class SourceValidator(SourceCompiler compiler)
{
    private readonly KeyPolicy _policy = compiler.Policy.WithRevoked(compiler.Revoked);

    public void Run()
    {
        var source = compiler.Source;
        CheckPeople(source);
        CheckGroups(source);
        CheckHosts(source);
        CheckRevokedCertificateAuthorities(source);
        CheckCertificateAuthorities(source);
        for (int index = 0; index < source.Rules.Count; index++)
        {
            var rule = source.Rules[index];
            CheckRule(rule, index);
            if (rule.GrantsCertificates)
            {
                CheckCertificateRule(rule);
            }
        }
    }

    /// <summary>
    /// A CA the policy refuses (DSA, a short RSA key, a type not allowed) is refused here as it would be
    /// as anyone's key: its revocations still reach the KRL only once the line names a CA the fleet can have.
    /// Judged without the revoked list: revoking certificates of a CA that is itself revoked is harmless.
    /// </summary>
    private void CheckRevokedCertificateAuthorities(SourceTree source)
    {
        foreach (var entry in source.RevokedCertificates)
        {
            var verdict = compiler.Policy.EvaluateKey(entry.Ca);
            if (!verdict.Accepted)
            {
                compiler.Report(SourceProblem.Error(entry.Location, SourceReason.RevocationCaRefused,
                    $"the CA {entry.Ca.Sha256Fingerprint} is refused by the policy ({verdict.Code}: {verdict.Message})",
                    "a CA the policy refuses cannot be trusted anywhere: revoke the CA itself (its fingerprint on a line of its own) and drop this line"));
            }
        }
    }

    private void CheckPeople(SourceTree source)
    {
        var owners = new Dictionary<SshPublicKey, (string Person, SourceLocation Location)>();
        foreach (var person in source.People)
        {
            var refused = new HashSet<SourceKey>(ReferenceEqualityComparer.Instance);
            if (person.Principal is { } principal && CertificatePrincipal.Problem(principal) is { } why)
            {
                compiler.Report(SourceProblem.ForKey(person.Location, new Verdict(ReasonCode.InvalidPrincipal, $"{person.Name}: principal={why}")));
            }
            if (!PersonName.IsValid(person.Name))
            {
                compiler.Report(SourceProblem.Error(person.Location, SourceReason.InvalidPersonName,
                    $"\"{person.Name}\" is not a usable person name", "name the file <name>.keys with 1-128 of A-Z a-z 0-9 @ . _ + -, not starting with '.'"));
            }
            foreach (var key in person.Keys)
            {
                if (!CheckKey(key, person.Name) || key.Key is null)
                {
                    if (DirectoryLayout.IsDirectoryKey(key))
                    {
                        refused.Add(key);
                    }
                    continue;
                }
                if (!owners.TryAdd(key.Key, (person.Name, key.Location)))
                {
                    var first = owners[key.Key];
                    compiler.Report(first.Person == person.Name
                        ? SourceProblem.Warning(key.Location, SourceReason.DuplicateKey, $"{key.Key.Sha256Fingerprint} is listed twice (first at {first.Location})", "remove one of the lines")
                        : SourceProblem.Error(key.Location, SourceReason.SharedKey,
                            $"{key.Key.Sha256Fingerprint} is also claimed by {first.Person} ({first.Location}); a shared key cannot be revoked for one person",
                            "each person needs their own key: remove it from one file and have that person generate a new one"));
                }
            }
            if (refused.Count > 0)
            {
                compiler.ReplacePerson(person with { Keys = person.Keys.Where(k => !refused.Contains(k)).ToList() });
            }
        }
    }

    /// <summary>Judges one key as the daemon will; false when it is refused (warnings count as usable).</summary>
    private bool CheckKey(SourceKey key, string owner)
    {
        var line = AuthorizedKeyLineParser.Parse(key.Line);
        var verdict = _policy.Evaluate(line, compiler.Now, key.NotAfter);
        if (verdict.Accepted)
        {
            return true;
        }
        var problem = SourceProblem.ForKey(key.Location, verdict, line.Suggestion);
        if (problem.Severity == ProblemSeverity.Error && DirectoryLayout.IsDirectoryKey(key))
        {
            // The directory is edited by its own people and tools, not reviewed in this repository: one
            // refused key there is left out (loudly) instead of stopping every host's update.
            compiler.Report(problem with
            {
                Severity = ProblemSeverity.Warning,
                Message = $"{owner}: {problem.Message}; left out of the build",
                Fix = $"replace the value in the directory entry: {problem.Fix}",
            });
            return false;
        }
        compiler.Report(problem with { Message = $"{owner}: {problem.Message}" });
        return problem.Severity == ProblemSeverity.Warning;
    }

    private void CheckGroups(SourceTree source)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in source.Groups)
        {
            if (!seen.Add(group.Name))
            {
                compiler.Report(SourceProblem.Error(group.Location, SourceReason.InvalidValue, $"group \"{group.Name}\" is defined twice", "merge the two definitions"));
            }
            CheckPeopleExist(group.People);
            CheckGroupsExist(group.Groups);
        }
    }

    private void CheckHosts(SourceTree source)
    {
        if (source.Hosts is null)
        {
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var host in source.Hosts)
        {
            if (!HostName.IsValid(host.Name))
            {
                compiler.Report(SourceProblem.Error(host.Location, SourceReason.InvalidValue, $"\"{host.Name}\" is not a host name",
                    "a host name is 1-253 of A-Z a-z 0-9 . - _, not starting with '.' or '-'"));
            }
            else if (!seen.Add(host.Name))
            {
                compiler.Report(SourceProblem.Error(host.Location, SourceReason.InvalidValue, $"host \"{host.Name}\" is listed twice", "remove one entry"));
            }
        }
    }

    private void CheckRule(SourceRule rule, int index)
    {
        if (!rule.HasSelector)
        {
            compiler.Report(SourceProblem.Error(rule.Location, SourceReason.NoHostSelector, "the rule names no hosts and no labels",
                "add hosts: [\"*\"] to mean every host, or name the hosts or labels it is for"));
        }
        else if (compiler.Source.Hosts is null && rule.Labels.Count > 0)
        {
            compiler.Report(SourceProblem.Error(rule.Location, SourceReason.NoInventory, "the rule selects hosts by label, but there is no hosts.yaml to give hosts labels",
                "add hosts.yaml with the hosts and their labels, or select hosts by name"));
        }
        else if (compiler.Source.Hosts is not null && !compiler.MatchesSomeHost(index))
        {
            compiler.Report(SourceProblem.Error(rule.Location, SourceReason.NoMatchingHost,
                "the rule's host selector matches no host in hosts.yaml", "fix the host glob or label, or add the host to hosts.yaml"));
        }
        foreach (var account in rule.Accounts)
        {
            if (!AccountName.IsValid(account.Name))
            {
                compiler.Report(SourceProblem.ForKey(account.Location, new Verdict(ReasonCode.InvalidAccountName, $"\"{account.Name}\" is not a valid account name")));
            }
        }
        if (rule.Accounts.Count == 0)
        {
            compiler.Report(SourceProblem.Error(rule.Location, SourceReason.InvalidValue, "the rule names no accounts", "add accounts: [name, …]"));
        }
        CheckPeopleExist(rule.People);
        CheckGroupsExist(rule.Groups);
        CheckOptions(rule);
        foreach (var key in rule.Keys)
        {
            CheckKey(key, key.Owner ?? string.Join(",", rule.Accounts.Select(a => a.Name)));
        }
    }

    private void CheckOptions(SourceRule rule)
    {
        if (rule.Options is not { } text)
        {
            return;
        }
        if (SafeText.ContainsControl(text) || !KeyOptionsParser.TryParse(text.Trim(' '), out var options, out string? error))
        {
            compiler.Report(SourceProblem.ForKey(rule.OptionsLocation, new Verdict(ReasonCode.MalformedOptions, $"options \"{text}\" do not parse")));
            return;
        }
        foreach (var option in options.Where(o => !_policy.IsOptionAllowed(o.Name)))
        {
            compiler.Report(SourceProblem.ForKey(rule.OptionsLocation, new Verdict(ReasonCode.OptionNotAllowed, $"option \"{option.Name}\" is not in Policy:AllowedOptions")));
        }
    }

    private void CheckPeopleExist(IEnumerable<SourceRef> people)
    {
        foreach (var person in people.Where(p => !compiler.People.ContainsKey(p.Name)))
        {
            compiler.Report(SourceProblem.ForKey(person.Location, new Verdict(ReasonCode.UnknownPerson, $"\"{person.Name}\" has no people/{person.Name}.keys")));
        }
    }

    private void CheckGroupsExist(IEnumerable<SourceRef> groups)
    {
        foreach (var group in groups.Where(g => !compiler.Groups.Contains(g.Name)))
        {
            compiler.Report(SourceProblem.Error(group.Location, SourceReason.UnknownGroup, $"\"{group.Name}\" is not a group in groups.yaml",
                "define the group in groups.yaml or fix the spelling"));
        }
    }

    /// <summary>Each CA key judged as the daemon judges a CA line: a plain key the policy accepts, never a certificate.</summary>
    private void CheckCertificateAuthorities(SourceTree source)
    {
        foreach (var authority in source.CertificateAuthorities)
        {
            if (!PersonName.IsValid(authority.Name))
            {
                compiler.Report(SourceProblem.Error(authority.Location, SourceReason.InvalidValue, $"\"{authority.Name}\" is not a usable CA name",
                    "name the CA with 1-128 of A-Z a-z 0-9 @ . _ + -, not starting with '.'"));
            }
            var line = AuthorizedKeyLineParser.Parse(authority.Key.Line);
            Verdict verdict = line.IsKey && line.Key!.Type.IsCertificate
                ? new Verdict(ReasonCode.CertificateNotAllowed, $"{line.Key.TypeName} is a certificate, not a CA key")
                : line.IsKey && line.Options.Count > 0
                    ? new Verdict(ReasonCode.MalformedOptions, "a CA key is written without options; the rules' options go on its lines")
                    : _policy.Evaluate(line, compiler.Now, authority.NotAfter);
            if (!verdict.Accepted)
            {
                compiler.Report(SourceProblem.ForKey(authority.Key.Location, verdict with { Message = $"CA {authority.Name}: {verdict.Message}" },
                    verdict.Reason == ReasonCode.CertificateNotAllowed ? "give the CA's own public key (the .pub of the key ssh-keygen -s signs with), not a certificate it issued" : line.Suggestion));
            }
        }
    }

    /// <summary>A rule with cas: the CAs exist, it admits at least one principal, each one sshd can match, and no key grants mixed in.</summary>
    private void CheckCertificateRule(SourceRule rule)
    {
        foreach (var reference in rule.CertificateAuthorities.Where(r => !compiler.CertificateAuthorities.ContainsKey(r.Name)))
        {
            compiler.Report(SourceProblem.Error(reference.Location, SourceReason.UnknownCertificateAuthority, $"\"{reference.Name}\" is not a CA in cas.yaml",
                "define the CA in cas.yaml (name: { key: <its public key> }) or fix the spelling"));
        }
        if (rule.Keys.Count > 0)
        {
            compiler.Report(SourceProblem.Error(rule.Keys[0].Location, SourceReason.InvalidValue, "a rule with cas grants certificates only; its keys would not be delivered",
                "move keys: to a rule of their own"));
        }
        foreach (var principal in rule.Principals)
        {
            if (CertificatePrincipal.Problem(principal.Name) is { } why)
            {
                compiler.Report(SourceProblem.ForKey(principal.Location, new Verdict(ReasonCode.InvalidPrincipal, why)));
            }
        }
        bool unresolved = rule.People.Any(p => !compiler.People.ContainsKey(p.Name)) || rule.Groups.Any(g => !compiler.Groups.Contains(g.Name));
        if (!unresolved && compiler.PrincipalsOf(rule).Count == 0)
        {
            compiler.Report(SourceProblem.ForKey(rule.Location, new Verdict(ReasonCode.InvalidPrincipal,
                "the rule admits no principal (no principals, and its people and groups name nobody); hosts would refuse the CA")));
        }
        if (rule.Options is { } text && KeyOptionsParser.TryParse(text.Trim(' '), out var options, out _) &&
            options.FirstOrDefault(o => o.Name is "cert-authority" or "principals") is { } own)
        {
            compiler.Report(SourceProblem.ForKey(rule.OptionsLocation, new Verdict(ReasonCode.MalformedOptions,
                $"option {own.Name} is written by keyagentd from cas and principals; remove it from options")));
        }
    }
}
