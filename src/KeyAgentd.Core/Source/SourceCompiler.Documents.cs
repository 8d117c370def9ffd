using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

public sealed partial class SourceCompiler
{
    /// <summary>Key problems the key checks already reported in full; a document repeating them adds nothing.</summary>
    private static readonly HashSet<ReasonCode> OptionReasons =
        [ReasonCode.OptionNotAllowed, ReasonCode.MalformedOptions, ReasonCode.ControlCharacter, ReasonCode.LineTooLong];

    /// <summary>
    /// Compiles every inventory host (and the default document when asked) and hands each distinct
    /// document to the daemon's own parser and expander, so a combination only a host would see (a
    /// person's from= against the account's from=) fails here and not on the host.
    /// </summary>
    public void CheckDocuments(bool includeDefault)
    {
        var signatures = new SortedSet<string>(Hosts.Select(SignatureOf), StringComparer.Ordinal);
        var examples = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var host in Hosts)
        {
            examples.TryAdd(SignatureOf(host), host.Name);
        }
        if (includeDefault)
        {
            signatures.Add(CompileDefault().Signature);
            examples.TryAdd(CompileDefault().Signature, "the default document");
        }
        if (Hosts.Count == 0 && !includeDefault)
        {
            Report(SourceProblem.Error(new SourceLocation("hosts.yaml", 0), SourceReason.NoInventory,
                "there are no hosts to build documents for", "add hosts.yaml, name hosts in access.yaml, or build with --default-document"));
        }
        foreach (string signature in signatures)
        {
            CheckDocument(Compile(signature), examples[signature]);
        }
    }

    private void CheckDocument(HostBody body, string example)
    {
        byte[] bytes = SnapshotDocumentWriter.Render(
            new DocumentHeader(1, Now, Now.AddDays(1), [example], ""), SnapshotDocumentWriter.RenderBody(body, Revoked));
        if (!RegistrySnapshotParser.TryParse(bytes, out var snapshot, out var error))
        {
            Report(SourceProblem.Error(new SourceLocation("access.yaml", 0), SourceReason.InvalidValue,
                $"the document for {example} would be refused: {error}", "report this: the build produced a document the daemon cannot read"));
            return;
        }
        var rules = body.Signature.Length == 0 ? [] : body.Signature.Split(',').Select(i => Source.Rules[int.Parse(i, System.Globalization.CultureInfo.InvariantCulture)]).ToList();
        foreach (var group in SnapshotExpander.Expand(snapshot, Policy, Now).Rejections
            .Where(r => OptionReasons.Contains(r.Verdict.Reason))
            .GroupBy(r => (r.Account, r.Verdict.Reason)))
        {
            var rule = rules.FirstOrDefault(r => r.Accounts.Any(a => a.Name == group.Key.Account));
            var first = group.First();
            var location = rule is null ? new SourceLocation("access.yaml", 0) : rule.OptionsLocation.Line > 0 ? rule.OptionsLocation : rule.Location;
            Report(SourceProblem.ForKey(location, first.Verdict with
            {
                Message = $"account {group.Key.Account} on {example}: {group.Count()} key(s) would be refused by the daemon, e.g. {first.Owner}: {first.Verdict.Message}",
            }));
        }
    }
}
