using System.Globalization;
using KeyAgentd.Core;
using KeyAgentd.RootRotation;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Cli;

/// <summary>
/// What the root commands print for people: a root's summary, the difference a proposal makes, who must
/// sign it, and a chain's verdicts per version and per signature block. Every value from a file goes
/// through <see cref="SafeText"/> (a key comment is whatever its owner typed).
/// </summary>
internal static class RootReport
{
    public static void WriteSummary(TrustRootDocument root, TextWriter output)
    {
        output.WriteLine($"  expires_at: {TrustRootWriter.Date(root.ExpiresAt)}");
        output.WriteLine($"  root threshold: {Number(root.RootThreshold)} of {Number(root.RootKeys.Count)} key(s)");
        foreach (var key in root.RootKeys)
        {
            output.WriteLine($"    root key {Escape(key.Principal)} {key.Key.Sha256Fingerprint} {Escape(TrustRootWriter.KeyText(key.Key, key.Comment))}");
        }
        output.WriteLine($"  snapshot threshold: {Number(root.SnapshotThreshold)} of {Number(root.SnapshotSigners.Count)} signer(s)");
        foreach (var signer in root.SnapshotSigners)
        {
            output.WriteLine($"    snapshot signer {signer.Key.Sha256Fingerprint} {Escape(RootDifference.Describe(signer))}");
        }
        foreach (string revoked in root.RevokedSigners)
        {
            output.WriteLine($"    revoked {Escape(revoked)}");
        }
        if (root.MaxSnapshotValidity is not null)
        {
            output.WriteLine($"  max_snapshot_validity_seconds: {RootDifference.Seconds(root.MaxSnapshotValidity)}");
        }
    }

    public static void WriteDifference(IReadOnlyList<RootChange> changes, TextWriter output)
    {
        foreach (var change in changes)
        {
            output.WriteLine("  " + change.Kind switch
            {
                RootChangeKind.Expiry => $"expires_at: {change.Before} -> {change.After}",
                RootChangeKind.MaxSnapshotValidity => $"max_snapshot_validity_seconds: {change.Before} -> {change.After}",
                RootChangeKind.RootThreshold => $"root threshold: {change.Before} -> {change.After}",
                RootChangeKind.RootKeyAdded => $"+ root key {Escape(change.Subject)} {change.Fingerprint} {Escape(change.After)}",
                RootChangeKind.RootKeyRemoved => $"- root key {Escape(change.Subject)} {change.Fingerprint} {Escape(change.Before)}",
                RootChangeKind.SnapshotThreshold => $"snapshot threshold: {change.Before} -> {change.After}",
                RootChangeKind.SnapshotSignerAdded => $"+ snapshot signer {change.Fingerprint} {Escape(change.After)}",
                RootChangeKind.SnapshotSignerRemoved => $"- snapshot signer {change.Fingerprint} {Escape(change.Before)}",
                RootChangeKind.SnapshotSignerChanged => $"~ snapshot signer {change.Fingerprint} {Escape(change.Before)} -> {Escape(change.After)}",
                RootChangeKind.SignerRevoked => $"+ revoked {Escape(change.Fingerprint)} (counts for nothing, root or snapshot signer)",
                RootChangeKind.SignerUnrevoked => $"- revoked {Escape(change.Fingerprint)} (no longer revoked)",
                _ => throw new ArgumentOutOfRangeException(nameof(changes), change.Kind, null),
            });
        }
    }

    /// <summary>Who must sign before hosts accept it, and the command each of them runs.</summary>
    public static void WriteSigningNeeded(TrustRootDocument root, TrustRootDocument? previous, string path, TextWriter output)
    {
        string own = $"{Number(root.RootThreshold)} of its own root principals ({Principals(root)})";
        output.WriteLine(previous is null
            ? $"hosts accept it when signed by {own}"
            : $"hosts accept it when signed by {Number(previous.RootThreshold)} of version {Number(previous.Version)}'s root principals ({Principals(previous)}) and by {own}");
        output.WriteLine($"each holder, on their own machine: keyagentd-registry root sign {Escape(path)} --key KEY.pub");
    }

    public static void WriteChain(RootChainCheck.Result chain, IReadOnlyCollection<string>? pins, TextWriter output)
    {
        foreach (var verdict in chain.Verdicts)
        {
            if (verdict.Check is not { } check)
            {
                output.WriteLine($"version {Number(verdict.Version)}: not checked (a version before it was refused; no host gets past it)");
                continue;
            }
            string how = check.ByPrevious is null
                ? pins is null ? " (first version: checked on its own root keys; give --pin to check they are yours)" : " (first version: checked against the pinned fingerprints)"
                : "";
            output.WriteLine($"version {Number(verdict.Version)}: {check.ReasonCode}{(check.Detail is null ? "" : ": " + Escape(check.Detail))}{how}");
            WriteBlocks(check, output);
        }
        if (chain.Newest is { } newest)
        {
            output.WriteLine(chain.Expired
                ? $"newest: version {Number(newest.Version)}, {RootReason.Expired.ToCode()}: expired at {TrustRootWriter.Date(newest.ExpiresAt)}; hosts apply no snapshot until a successor is published"
                : $"newest: version {Number(newest.Version)}, expires at {TrustRootWriter.Date(newest.ExpiresAt)}");
        }
    }

    /// <summary>One line per signature block: its key, and for each key set it was judged against, the principal and whether it counts.</summary>
    private static void WriteBlocks(RootCheck check, TextWriter output)
    {
        var decisions = new List<(string Against, SignatureDecision Decision)>();
        if (check.ByPrevious is { } previous)
        {
            decisions.Add(($"version {Number((check.Version ?? 1) - 1)}'s root keys", previous));
        }
        if (check.ByItself is { } itself)
        {
            decisions.Add(("its own root keys", itself));
        }
        int blocks = decisions.Count == 0 ? 0 : decisions.Max(d => d.Decision.Signatures.Count);
        for (int i = 0; i < blocks; i++)
        {
            var verdicts = decisions.Select(d => (d.Against, Verdict: d.Decision.Signatures.ElementAtOrDefault(i))).ToList();
            string key = verdicts.Select(v => v.Verdict?.Fingerprint).FirstOrDefault(f => f is not null) ?? "(unreadable)";
            var parts = verdicts.Where(v => v.Verdict is not null).Select(v => $"{v.Against}: {Describe(v.Verdict!)}");
            output.WriteLine($"  signature {Number(i + 1)} {Escape(key)}: {string.Join("; ", parts)}");
        }
    }

    private static string Describe(SignatureVerdict verdict) =>
        verdict.CountsTowardThreshold ? $"{Escape(verdict.Principals)}, counts"
        : verdict.IsValid ? $"{Escape(verdict.Principals)}, valid but does not count (a principal already counted)"
        : $"does not count, {verdict.ReasonCode}{(verdict.Detail is null ? "" : " (" + Escape(verdict.Detail) + ")")}";

    private static string Principals(TrustRootDocument root) => Escape(string.Join(", ", root.RootKeys.Select(k => k.Principal).Distinct(StringComparer.Ordinal)));

    private static string Escape(string? text) => SafeText.Escape(text ?? "", 600);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
