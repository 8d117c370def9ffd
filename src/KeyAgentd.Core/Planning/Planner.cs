using KeyAgentd.Core.HelperCache;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// Compares what an account should hold with what is on disk and renders, once, the bytes for its
/// authorized_keys and for the helper cache. Keys match by blob, never by comment or options: a key
/// whose comment changed is kept (and rewritten), not removed and added.
/// </summary>
public static class Planner
{
    public static AccountPlan Plan(PlanInput input)
    {
        var plan = PlanManagedFile(input);
        if (input.Delivery != Delivery.HelperCacheOnly || input.CurrentFile is not { } file || plan.Error is not null)
        {
            return plan;
        }
        string? lastWritten = input.CurrentCache;
        if (lastWritten is not null)
        {
            CacheIndex.TrySplit(lastWritten, out lastWritten);
        }
        return FileRetirement.Apply(plan, file, input.Mode, lastWritten);
    }

    /// <summary>The managed file's plan: authorized_keys and the cache beside it, or, with helper-only delivery, the cache alone.</summary>
    private static AccountPlan PlanManagedFile(PlanInput input)
    {
        var notes = new List<string>();
        var breakGlass = BreakGlass.Parse(input.BreakGlass, input.Withdrawn, notes);
        var wanted = Deduplicate(input.Desired);
        // A break-glass line for the same key wins: it is the operator's local word on that key. Writing
        // the registry's copy as well would undo it, since sshd tries every line and a second,
        // unrestricted copy of a from=-restricted key would let it in from anywhere.
        var toRender = wanted.Where(k => !breakGlass.Keys.Contains(k.Key)).ToList();
        bool helperOnly = input.Delivery == Delivery.HelperCacheOnly;
        // With helper-only delivery the cache is the managed file, and nobody else writes it;
        // authorized_keys is only ever emptied of what keyagentd wrote there (FileRetirement).
        var mode = helperOnly && input.Mode == OwnershipMode.ManagedBlock ? OwnershipMode.Exclusive : input.Mode;
        // The cache's index line is the helper's, not content: everything below reads the keys after it.
        string? currentCache = input.CurrentCache;
        bool indexed = currentCache is not null && CacheIndex.TrySplit(currentCache, out currentCache);
        string? current = helperOnly ? currentCache : input.CurrentFile;

        var region = ManagedRegion.Of(current ?? "", mode, currentCache);
        if (region.Error is not null)
        {
            return new AccountPlan(input.Account, mode, [], [], []) { Notes = notes, Error = region.Error };
        }
        if (region.Note is not null)
        {
            notes.Add(region.Note);
        }

        // What would be written, rendered once: compared with what is there, and written where it differs.
        string? cacheText = mode == OwnershipMode.Report ? null : AuthorizedKeysRenderer.RenderExclusive(toRender, breakGlass.Lines);
        string? blockText = mode == OwnershipMode.ManagedBlock ? AuthorizedKeysRenderer.RenderManagedBlock(region.Theirs, toRender, breakGlass.Lines) : null;
        // A cache written before the index existed is rewritten once, with one.
        bool cacheCurrent = indexed && cacheText is not null && cacheText == currentCache;
        if (cacheCurrent && current is not null &&
            (mode == OwnershipMode.Exclusive ? current == cacheText : region.HadBlock && region.Note is null && current == blockText))
        {
            // Most accounts on most cycles: the file (or the helper-only cache) is byte for byte what
            // would be rendered now, so every wanted key is there with its options, and nothing else
            // is. Parsing it back would only say so, at most of a no-change cycle's cost.
            return new AccountPlan(input.Account, mode, [], [], AuthorizedKeysRenderer.Sort(wanted)) { Notes = notes };
        }

        var byKey = wanted.ToDictionary(k => k.Key);
        var present = new Dictionary<SshPublicKey, KeyOptions>();
        var removed = new List<RemovedLine>();
        foreach (var line in AuthorizedKeyLineParser.ParseAll(region.Ours))
        {
            if (Classify(input, line, byKey, breakGlass.Keys, present) is { } gone)
            {
                removed.Add(gone);
            }
        }
        var kept = AuthorizedKeysRenderer.Sort(wanted.Where(k => present.ContainsKey(k.Key)));
        var added = AuthorizedKeysRenderer.Sort(wanted.Where(k => !present.ContainsKey(k.Key)));
        // A kept key whose restrictions differ on disk matters more than a changed comment: it may be
        // missing the registry's from= or expiry-time, so it is listed, and is drift even in report mode.
        var optionsChanged = kept.Where(k => !breakGlass.Keys.Contains(k.Key) && !present[k.Key].Equals(k.Options)).ToList();
        var plan = new AccountPlan(input.Account, mode, added, removed, kept) { Notes = notes, OptionsChanged = optionsChanged };

        if (mode == OwnershipMode.Report)
        {
            // Report mode promises to write nothing: neither the file nor the cache sshd may read.
            return plan with { Changed = added.Count > 0 || removed.Count > 0 || optionsChanged.Count > 0 };
        }

        bool nothingToWrite = toRender.Count == 0 && breakGlass.Lines.Count == 0;
        string? cache = cacheCurrent || (currentCache is null && nothingToWrite) ? null : cacheText;
        if (helperOnly)
        {
            return plan with { CacheText = cache, Changed = cache is not null };
        }
        string? rendered = mode == OwnershipMode.Exclusive
            ? (current is null && nothingToWrite ? null : cacheText)
            : (nothingToWrite && !region.HadBlock ? null : blockText);
        string? file = rendered is null || rendered == current ? null : rendered;
        return plan with { FileText = file, CacheText = cache, Changed = file is not null };
    }

    /// <returns>The line's removal, or null when it stays (a wanted or break-glass key, a blank, our own marker).</returns>
    private static RemovedLine? Classify(PlanInput input, AuthorizedKeyLine line, Dictionary<SshPublicKey, DesiredKey> wanted, HashSet<SshPublicKey> breakGlass,
        Dictionary<SshPublicKey, KeyOptions> present)
    {
        switch (line.Kind)
        {
            case AuthorizedKeyLineKind.Blank:
                return null;
            case AuthorizedKeyLineKind.Comment:
                // Our own header and markers are not the user's content, whichever mode wrote them.
                return AuthorizedKeysRenderer.IsOwnMarker(line.Raw) ? null : new RemovedLine(line.Raw, null, RemovalReason.ForeignComment);
            case AuthorizedKeyLineKind.Key:
                var key = line.Key!;
                if (!present.TryAdd(key, line.Options))
                {
                    return new RemovedLine(line.Raw, key, RemovalReason.DuplicateKey);
                }
                if (!wanted.ContainsKey(key) && !breakGlass.Contains(key))
                {
                    return new RemovedLine(line.Raw, key, input.Withdrawn.ReasonFor(input.Account, key));
                }
                return null;
            default:
                string code = line.Error is { } error ? error.ToCode() : "invalid";
                string about = line.Key is null ? "" : $"{line.Key.TypeName} {line.Key.Sha256Fingerprint}: ";
                return new RemovedLine(line.Raw, null, RemovalReason.InvalidLine, $"{about}{code}: {line.ErrorMessage}");
        }
    }

    /// <summary>The expander already removes duplicates; a caller-built list gets the same rule (first wins).</summary>
    private static List<DesiredKey> Deduplicate(IReadOnlyList<DesiredKey> desired)
    {
        var seen = new HashSet<SshPublicKey>();
        return desired.Where(k => seen.Add(k.Key)).ToList();
    }
}
