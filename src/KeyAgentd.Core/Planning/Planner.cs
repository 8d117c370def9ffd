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
        var present = new HashSet<SshPublicKey>();
        var removed = new List<RemovedLine>();
        foreach (var line in AuthorizedKeyLineParser.ParseAll(managedText))
        {
            Classify(line, byKey, breakGlass.Keys, present, removed, mode);
        }
        var kept = AuthorizedKeysRenderer.Sort(wanted.Where(k => present.Contains(k.Key)));
        var added = AuthorizedKeysRenderer.Sort(wanted.Where(k => !present.Contains(k.Key)));

        if (mode == OwnershipMode.Report)
        {
            return new AccountPlan(account, mode, added, removed, kept, null, added.Count > 0 || removed.Count > 0) { Notes = notes };
        }

        // A break-glass line for the same key wins: it is the operator's local word on that key.
        var toRender = wanted.Where(k => !breakGlass.Keys.Contains(k.Key)).ToList();
        bool nothingToWrite = toRender.Count == 0 && breakGlass.Lines.Count == 0;
        string? rendered = mode == OwnershipMode.Exclusive
            ? (currentText is null && nothingToWrite ? null : AuthorizedKeysRenderer.RenderExclusive(toRender, breakGlass.Lines))
            : (nothingToWrite && !ManagedBlock.Find(current).Found ? null : AuthorizedKeysRenderer.RenderManagedBlock(currentText, toRender, breakGlass.Lines));
        string? newText = rendered is null || rendered == currentText ? null : rendered;
        return new AccountPlan(account, mode, added, removed, kept, newText, newText is not null) { Notes = notes };
    }

    private static void Classify(AuthorizedKeyLine line, Dictionary<SshPublicKey, DesiredKey> wanted, HashSet<SshPublicKey> breakGlass,
        HashSet<SshPublicKey> present, List<RemovedLine> removed, OwnershipMode mode)
    {
        switch (line.Kind)
        {
            case AuthorizedKeyLineKind.Blank:
                return;
            case AuthorizedKeyLineKind.Comment:
                bool ours = mode != OwnershipMode.ManagedBlock && line.Raw.Trim(' ', '\t') == AuthorizedKeysRenderer.ExclusiveHeader;
                if (!ours)
                {
                    removed.Add(new RemovedLine(line.Raw, null, RemovedLine.ForeignComment));
                }
                return;
            case AuthorizedKeyLineKind.Key:
                var key = line.Key!;
                if (!present.Add(key))
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
