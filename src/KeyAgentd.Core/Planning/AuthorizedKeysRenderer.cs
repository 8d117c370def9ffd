using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// Produces file text from desired keys. The output depends only on the keys, never on the serial
/// or the time, so an unchanged registry gives a byte-identical file and nothing is rewritten.
/// </summary>
public static class AuthorizedKeysRenderer
{
    public const string ExclusiveHeader = "# Managed by keyagentd: this file is rewritten from the key registry; local edits are removed.";
    public const string BeginMarker = "# BEGIN keyagentd";
    public const string EndMarker = "# END keyagentd";

    /// <summary>The lines keyagentd itself writes around keys (header and block markers).</summary>
    public static bool IsOwnMarker(string line)
    {
        string text = line.Trim(' ', '\t', '\r');
        return text is ExclusiveHeader or BeginMarker or EndMarker;
    }

    /// <summary>By owner, then label, then fingerprint: stable whatever order the registry lists keys in.</summary>
    public static IReadOnlyList<DesiredKey> Sort(IEnumerable<DesiredKey> keys) =>
        keys.OrderBy(k => k.Owner, StringComparer.Ordinal)
            .ThenBy(k => k.Label ?? "", StringComparer.Ordinal)
            .ThenBy(k => k.Key, FingerprintOrder.Instance)
            .ToList();

    // The fingerprint texts' ordinal order, compared from the keys' cached digests: no text per key.
    private sealed class FingerprintOrder : IComparer<SshPublicKey>
    {
        public static readonly FingerprintOrder Instance = new();

        public int Compare(SshPublicKey? x, SshPublicKey? y) => x!.CompareSha256Fingerprint(y!);
    }

    /// <summary>Break-glass lines first (as given), then the keys in <see cref="Sort"/> order; every line ends in "\n".</summary>
    public static string RenderLines(IEnumerable<DesiredKey> keys, IReadOnlyList<string> breakGlassLines)
    {
        var builder = new System.Text.StringBuilder();
        foreach (string line in breakGlassLines)
        {
            builder.Append(line).Append('\n');
        }
        foreach (var key in Sort(keys))
        {
            builder.Append(key.Render()).Append('\n');
        }
        return builder.ToString();
    }

    public static string RenderExclusive(IEnumerable<DesiredKey> keys, IReadOnlyList<string> breakGlassLines) =>
        ExclusiveHeader + "\n" + RenderLines(keys, breakGlassLines);

    public static string RenderBlock(IEnumerable<DesiredKey> keys, IReadOnlyList<string> breakGlassLines) =>
        BeginMarker + "\n" + RenderLines(keys, breakGlassLines) + EndMarker + "\n";

    /// <summary>
    /// Replaces the block in <paramref name="currentText"/> (or appends one) and keeps every other
    /// character as it was, line endings and a missing final newline included. Throws when the
    /// existing markers are damaged; <see cref="Planner"/> checks that first.
    /// </summary>
    public static string RenderManagedBlock(string? currentText, IEnumerable<DesiredKey> keys, IReadOnlyList<string> breakGlassLines)
    {
        string text = currentText ?? "";
        var block = ManagedBlock.Find(text);
        if (block.Problem is not null)
        {
            throw new InvalidOperationException(block.Problem);
        }
        string rendered = RenderBlock(keys, breakGlassLines);
        if (block.Found)
        {
            return string.Concat(text.AsSpan(0, block.Start), rendered, text.AsSpan(block.End));
        }
        return text.Length == 0 || text.EndsWith('\n') ? text + rendered : text + "\n" + rendered;
    }
}
