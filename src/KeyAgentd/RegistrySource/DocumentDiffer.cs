using System.Security.Cryptography;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// Compares two published documents the way a host would experience the change. Hosts matched by
/// the same rules had the same body before and get the same body now, so the daemon's expansion and
/// guard run once per (old body, new body) pair, not once per host.
/// </summary>
internal sealed class DocumentDiffer(KeyPolicy policy, DateTimeOffset now, RemovalLimits limits)
{
    private readonly Dictionary<(string, string), SnapshotDiff> _memo = [];

    /// <summary>A null side is a document that does not exist (a new or removed host); an unreadable one counts as none.</summary>
    public SnapshotDiff Compare(byte[]? before, byte[]? after)
    {
        var key = (BodyHash(before), BodyHash(after));
        if (_memo.TryGetValue(key, out var known))
        {
            return known;
        }
        var diff = SnapshotDiff.Compare(Parse(before), Parse(after), policy, now, limits);
        _memo[key] = diff;
        return diff;
    }

    /// <summary>A document for comparing a body that has no serial yet.</summary>
    public static byte[] Unstamped(DateTimeOffset now, IReadOnlyList<string> audience, byte[] body) =>
        SnapshotDocumentWriter.Render(new DocumentHeader(1, now, now.AddDays(1), audience, ""), body);

    private static RegistrySnapshot? Parse(byte[]? document) =>
        document is not null && RegistrySnapshotParser.TryParse(document, out var snapshot, out _) ? snapshot : null;

    /// <summary>The hash of everything from "people" on: what differs between hosts sharing a body is only the header.</summary>
    private static string BodyHash(byte[]? document)
    {
        if (document is null)
        {
            return "";
        }
        int people = document.AsSpan().IndexOf("\n  \"people\": "u8);
        return Convert.ToHexString(SHA256.HashData(people < 0 ? document : document.AsSpan(people)));
    }
}
