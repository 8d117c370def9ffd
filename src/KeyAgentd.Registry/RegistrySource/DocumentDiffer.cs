using System.Collections.Concurrent;
using System.Security.Cryptography;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// Compares two published documents the way a host would experience the change. Hosts matched by
/// the same rules had the same body before and get the same body now, so the daemon's expansion and
/// guard run once per (old body, new body) pair, not once per host. Safe to call from several threads
/// (a build compares on all cores); two threads may compute the same pair once each, with the same result.
/// </summary>
internal sealed class DocumentDiffer(KeyPolicy policy, DateTimeOffset now, RemovalLimits limits)
{
    private readonly ConcurrentDictionary<(string, string), SnapshotDiff> _memo = new();

    /// <summary>
    /// A null side is a document that does not exist (a new or removed host). A side that is no registry
    /// document (a host would refuse it) is an error naming it, never "none": read as none, a broken
    /// published document would make every key of the new one look gained and hide every removal from the guard.
    /// </summary>
    /// <param name="beforePath">where <paramref name="before"/> was read, for the error</param>
    /// <param name="afterPath">where <paramref name="after"/> was read, for the error</param>
    /// <exception cref="InvalidDataException">A side is not a registry document.</exception>
    public SnapshotDiff Compare(byte[]? before, byte[]? after, string beforePath = "", string afterPath = "")
    {
        var key = (BodyHash(before), BodyHash(after));
        if (_memo.TryGetValue(key, out var known))
        {
            // The body was parsed before, under another header: the header alone is checked.
            Header(before, beforePath);
            Header(after, afterPath);
            return known;
        }
        var diff = SnapshotDiff.Compare(Parse(before, beforePath), Parse(after, afterPath), policy, now, limits);
        _memo[key] = diff;
        return diff;
    }

    /// <summary>A document for comparing a body that has no serial yet.</summary>
    public static byte[] Unstamped(DateTimeOffset now, IReadOnlyList<string> audience, byte[] body) =>
        SnapshotDocumentWriter.Render(new DocumentHeader(1, now, now.AddDays(1), audience, ""), body);

    private static RegistrySnapshot? Parse(byte[]? document, string path)
    {
        if (document is null)
        {
            return null;
        }
        return RegistrySnapshotParser.TryParse(document, out var snapshot, out var error) ? snapshot : throw NotADocument(path, $"{error.Code}: {error.Message}");
    }

    private static void Header(byte[]? document, string path)
    {
        if (document is not null && !PublishedDocument.TryRead(document, out _))
        {
            throw NotADocument(path, "no readable serial and expires_at");
        }
    }

    private static InvalidDataException NotADocument(string path, string why) =>
        new($"{path}: not a registry document a host would apply ({why}); fix or remove it, or compare other directories");

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
