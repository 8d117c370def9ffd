using KeyAgentd.Trust.AllowedSigners;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Revocation;

namespace KeyAgentd.Trust.Root;

/// <summary>
/// A root document this host has verified (by the chain from its pinned first root), with the exact bytes
/// and signatures it was verified from, so the state directory can keep them and re-verify them on load.
/// Only <see cref="RootVerifier"/> makes one.
/// </summary>
public sealed class TrustRoot
{
    internal TrustRoot(TrustRootDocument document, byte[] bytes, byte[] signature, IReadOnlyList<string> signedBy)
    {
        Document = document;
        Bytes = bytes;
        Signature = signature;
        SignedBy = signedBy;
        Revoked = document.RevokedSigners.Count == 0 ? RevokedSigners.None : RevokedSigners.Parse(string.Join('\n', document.RevokedSigners));
        RootSigners = AllowedSignersOf(document.RootKeys.Select(k => (k.Principal, k.Key, (DateTimeOffset?)null, (DateTimeOffset?)null)),
            TrustRootDocument.Namespace, $"root v{document.Version} root.keys");
        SnapshotSigners = AllowedSignersOf(document.SnapshotSigners.Select(s => (s.Principals, s.Key, s.ValidAfter, s.ValidBefore)),
            SignaturePolicyOptions.RegistryNamespace, $"root v{document.Version} snapshot.signers");
    }

    public TrustRootDocument Document { get; }

    public long Version => Document.Version;

    public DateTimeOffset ExpiresAt => Document.ExpiresAt;

    /// <summary>The document's exact bytes, as signed.</summary>
    public byte[] Bytes { get; }

    /// <summary>The .sig file's bytes (one or more SSHSIG blocks).</summary>
    public byte[] Signature { get; }

    /// <summary>The root principals whose signatures counted when this root was accepted.</summary>
    public IReadOnlyList<string> SignedBy { get; }

    /// <summary>Who may sign the next root: each root key as an allowed_signers line for the root namespace only.</summary>
    public AllowedSignersFile RootSigners { get; }

    /// <summary>Who may sign snapshots: allowed_signers lines for the registry namespace only.</summary>
    public AllowedSignersFile SnapshotSigners { get; }

    /// <summary>Keys this root revokes, for snapshot and root signatures alike.</summary>
    public RevokedSigners Revoked { get; }

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>
    /// The snapshot trust this root gives: its signers, its revoked keys, and the larger of its threshold and
    /// the host's Registry:SignatureThreshold (a host may ask for more signatures than the registry, never fewer).
    /// </summary>
    public RegistryTrust SnapshotTrust(SignaturePolicyOptions host) =>
        new(SnapshotSigners, Revoked, host with
        {
            Namespace = SignaturePolicyOptions.RegistryNamespace,
            Threshold = Math.Max(host.Threshold, Document.SnapshotThreshold),
        });

    private static AllowedSignersFile AllowedSignersOf(
        IEnumerable<(string Principals, Core.Keys.SshPublicKey Key, DateTimeOffset? After, DateTimeOffset? Before)> lines, string @namespace, string where) =>
        new([.. lines.Select((l, i) => new AllowedSigner(i + 1, new PatternList(l.Principals), l.Key, new PatternList(@namespace), l.After, l.Before))], [], where);
}
