using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Registry;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// Compares what an account should hold with what its file holds now. Keys match by blob, never by
/// comment or options: a key whose comment changed is kept (and rewritten), not removed and added.
/// </summary>
public static class Planner
{
    public static AccountPlan Plan(string account, IReadOnlyList<DesiredKey> desired, string? currentText, OwnershipMode mode, IReadOnlyList<string> breakGlassLines)
    {
        var notes = new List<string>();
        var breakGlass = BreakGlass.Parse(breakGlassLines, notes);
        var wanted = Deduplicate(desired);
        string current = currentText ?? "";

        string managedText = current;
        if (mode == OwnershipMode.ManagedBlock)
        {
            var block = ManagedBlock.Find(current);
            if (block.Problem is not null)
            {
                return new AccountPlan(account, mode, [], [], [], null, false) { Notes = notes, Error = block.Problem };
            }
            // Only the block is ours to compare; a missing block holds nothing yet.
            managedText = block.Found ? current[block.ContentStart..block.ContentEnd] : "";
        }

        var byKey = wanted.ToDictionary(k => k.Key);
        var present = new Dictionary<SshPublicKey, KeyOptions>();
        var removed = new List<RemovedLine>();
        foreach (var line in AuthorizedKeyLineParser.ParseAll(managedText))
        {
            Classify(line, byKey, breakGlass.Keys, present, removed);
        }
        var kept = AuthorizedKeysRenderer.Sort(wanted.Where(k => present.ContainsKey(k.Key)));
        var added = AuthorizedKeysRenderer.Sort(wanted.Where(k => !present.ContainsKey(k.Key)));
        // A kept key whose restrictions differ on disk matters more than a changed comment: it may be
        // missing the registry's from= or expiry-time, so it is listed, and is drift even in report mode.
        var optionsChanged = kept.Where(k => !breakGlass.Keys.Contains(k.Key) && !present[k.Key].Equals(k.Options)).ToList();

        if (mode == OwnershipMode.Report)
        {
            bool drift = added.Count > 0 || removed.Count > 0 || optionsChanged.Count > 0;
            return new AccountPlan(account, mode, added, removed, kept, null, drift) { Notes = notes, OptionsChanged = optionsChanged };
        }

        // A break-glass line for the same key wins: it is the operator's local word on that key.
        var toRender = wanted.Where(k => !breakGlass.Keys.Contains(k.Key)).ToList();
        bool nothingToWrite = toRender.Count == 0 && breakGlass.Lines.Count == 0;
        string? rendered = mode == OwnershipMode.Exclusive
            ? (currentText is null && nothingToWrite ? null : AuthorizedKeysRenderer.RenderExclusive(toRender, breakGlass.Lines))
            : (nothingToWrite && !ManagedBlock.Find(current).Found ? null : AuthorizedKeysRenderer.RenderManagedBlock(currentText, toRender, breakGlass.Lines));
        string? newText = rendered is null || rendered == currentText ? null : rendered;
        return new AccountPlan(account, mode, added, removed, kept, newText, newText is not null) { Notes = notes, OptionsChanged = optionsChanged };
    }

    private static void Classify(AuthorizedKeyLine line, Dictionary<SshPublicKey, DesiredKey> wanted, HashSet<SshPublicKey> breakGlass,
        Dictionary<SshPublicKey, KeyOptions> present, List<RemovedLine> removed)
    {
        switch (line.Kind)
        {
            case AuthorizedKeyLineKind.Blank:
                return;
            case AuthorizedKeyLineKind.Comment:
                // Our own header and markers are not the user's content, whichever mode wrote them.
                if (!AuthorizedKeysRenderer.IsOwnMarker(line.Raw))
                {
                    removed.Add(new RemovedLine(line.Raw, null, RemovedLine.ForeignComment));
                }
                return;
            case AuthorizedKeyLineKind.Key:
                var key = line.Key!;
                if (!present.TryAdd(key, line.Options))
                {
                    removed.Add(new RemovedLine(line.Raw, key, RemovedLine.DuplicateKey));
                }
                else if (!wanted.ContainsKey(key) && !breakGlass.Contains(key))
                {
                    removed.Add(new RemovedLine(line.Raw, key, RemovedLine.UnknownKey));
                }
                return;
            default:
                string code = line.Error is { } error ? error.ToCode() : "invalid";
                string about = line.Key is null ? "" : $" ({line.Key.TypeName} {line.Key.Sha256Fingerprint})";
                removed.Add(new RemovedLine(line.Raw, null, $"invalid line{about}: {code}: {line.ErrorMessage}"));
                return;
        }
    }

    /// <summary>The expander already removes duplicates; a caller-built list gets the same rule (first wins).</summary>
    private static List<DesiredKey> Deduplicate(IReadOnlyList<DesiredKey> desired)
    {
        var seen = new HashSet<SshPublicKey>();
        return desired.Where(k => seen.Add(k.Key)).ToList();
    }
}
