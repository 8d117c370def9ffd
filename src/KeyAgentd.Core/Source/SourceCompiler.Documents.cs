using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

public sealed partial class SourceCompiler
{
    /// <summary>What only the combination of an account's options with a key's own can get wrong; the key checks cover the rest.</summary>
    private static readonly HashSet<ReasonCode> OptionReasons =
        [ReasonCode.OptionNotAllowed, ReasonCode.MalformedOptions, ReasonCode.ControlCharacter, ReasonCode.LineTooLong];

    /// <summary>
    /// Compiles every inventory host (and the default document when asked) and runs the daemon's
    /// expander over every key under every account options it is granted with, so a combination only a host would see (a
    /// person's from= against the account's from=) fails here and not on the host. Keys are
    /// expanded once per distinct options value, not once per host: the verdict depends on nothing else.
    /// </summary>
    public void CheckDocuments(bool includeDefault)
    {
        var examples = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var host in Hosts)
        {
            examples.TryAdd(SignatureOf(host), host.Name);
        }
        if (includeDefault)
        {
            examples.TryAdd(CompileDefault().Signature, "the default document");
        }
        if (Hosts.Count == 0 && !includeDefault)
        {
            Report(SourceProblem.Error(new SourceLocation("hosts.yaml", 0), SourceReason.NoInventory,
                "there are no hosts to build documents for", "add hosts.yaml, name hosts in access.yaml, or build with --default-document"));
        }
        var byOptions = new Dictionary<string, OptionsCheck>(StringComparer.Ordinal);
        foreach (string signature in examples.Keys)
        {
            var body = Compile(signature);
            foreach (var (name, account) in body.Accounts)
            {
                string options = account.Options ?? "";
                if (!byOptions.TryGetValue(options, out var check))
                {
                    byOptions[options] = check = new OptionsCheck(account.Options);
                }
                check.Rules.UnionWith(RulesOf(signature).Where(r => r.Accounts.Any(a => a.Name == name)));
                foreach (string person in account.Grants)
                {
                    foreach (var key in body.People[person].Keys)
                    {
                        check.Keys.Add(key with { Owner = person, NotAfter = null });
                    }
                }
                foreach (var key in account.Keys)
                {
                    check.Keys.Add(key with { NotAfter = null });
                }
            }
        }
        foreach (var check in byOptions.Values)
        {
            CheckOptions(check);
        }
    }

    private void CheckOptions(OptionsCheck check)
    {
        var account = new RegistryAccount([], check.Options, check.Keys.ToList());
        var snapshot = new RegistrySnapshot(RegistrySnapshot.SchemaV1, 1, Now, Now.AddDays(1),
            new Dictionary<string, RegistryPerson>(), new Dictionary<string, RegistryAccount> { ["check"] = account }, Revoked);
        var rule = check.Rules.OrderBy(r => r.Location.Line).FirstOrDefault();
        var location = rule is null ? new SourceLocation("access.yaml", 0) : rule.OptionsLocation.Line > 0 ? rule.OptionsLocation : rule.Location;
        var rejections = SnapshotExpander.Expand(snapshot, Policy, Now).Rejections;
        foreach (var widening in rejections.Where(r => r.Verdict.Reason == ReasonCode.OptionWidensRule))
        {
            ReportWidening(widening, location);
        }
        foreach (var group in rejections
            .Where(r => OptionReasons.Contains(r.Verdict.Reason))
            .GroupBy(r => r.Verdict.Reason))
        {
            var first = group.First();
            Report(SourceProblem.ForKey(location, first.Verdict with
            {
                Message = $"with options \"{check.Options}\", {group.Count()} key(s) would be refused by the daemon, e.g. {first.Owner}: {first.Verdict.Message}",
            }));
        }
    }

    /// <summary>
    /// At the key's own line, since the key line is what its owner must change: the rule is the
    /// reviewed restriction. A directory key is edited outside this repository, so, as for its other
    /// refusals, it does not stop every host's update: a warning, and the hosts refuse the key.
    /// </summary>
    private void ReportWidening(KeyRejection widening, SourceLocation ruleOptions)
    {
        var key = widening.Fingerprint is { } fingerprint ? KeyWithFingerprint(fingerprint) : null;
        var problem = SourceProblem.ForKey(key?.Location ?? ruleOptions, widening.Verdict with
        {
            Message = $"{widening.Owner}: {widening.Verdict.Message} (the rule's options are at {ruleOptions})",
        });
        Report(key is not null && DirectoryLayout.IsDirectoryKey(key)
            ? problem with { Severity = ProblemSeverity.Warning, Message = problem.Message + "; the hosts refuse this key" }
            : problem);
    }

    private SourceKey? KeyWithFingerprint(string fingerprint) =>
        _people.Values.SelectMany(p => p.Keys).Concat(Source.Rules.SelectMany(r => r.Keys))
            .FirstOrDefault(k => k.Key?.Sha256Fingerprint == fingerprint);

    private IEnumerable<SourceRule> RulesOf(string signature) =>
        signature.Length == 0 ? [] : signature.Split(',').Select(i => Source.Rules[int.Parse(i, System.Globalization.CultureInfo.InvariantCulture)]);

    private sealed class OptionsCheck(string? options)
    {
        public string? Options { get; } = options;

        public HashSet<RegistryKey> Keys { get; } = [];

        public HashSet<SourceRule> Rules { get; } = [];
    }
}
