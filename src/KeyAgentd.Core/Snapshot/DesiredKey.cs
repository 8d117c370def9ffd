using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// A key that passed policy and belongs in an account's file, with its final options (account
/// options, the key's own, and expiry-time from not_after) exactly as they will be written.
/// </summary>
public sealed record DesiredKey(SshPublicKey Key, KeyOptions Options, string Comment, string Owner, string? Label, DateTimeOffset? NotAfter)
{
    public string Fingerprint => Key.Sha256Fingerprint;

    /// <summary>The authorized_keys line for this key (no terminator).</summary>
    public string Render() => AuthorizedKeyLine.Render(Options, Key, Comment);
}
