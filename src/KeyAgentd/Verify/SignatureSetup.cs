using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Verify;

/// <summary>How this cycle judges signatures: the mode, the trust roots, and why they could not be read if they could not.</summary>
/// <param name="Trust">Null when the mode is off or the roots are unusable.</param>
/// <param name="Problem">The trust roots are configured but unreadable: under enforce every snapshot is refused with it.</param>
/// <param name="Warnings">Lines of allowed_signers that grant nothing (a revoked signers line that revokes nothing is a Problem instead).</param>
/// <param name="Root">The trust root the signers come from, when the host uses one (not an allowed_signers file).</param>
/// <param name="FreshRefusal">
/// Why no new snapshot is judged this cycle although the last-known-good still verifies: the newest root has
/// expired (root-expired), or the next root version could not be asked for (a signer it drops must not be trusted meanwhile).
/// </param>
public sealed record SignatureSetup(SignatureMode Mode, RegistryTrust? Trust, SnapshotError? Problem, IReadOnlyList<string> Warnings,
    TrustRoot? Root = null, SnapshotError? FreshRefusal = null)
{
    public const string TrustRootsUnusable = "trust-roots-unusable";

    /// <summary>Nothing authenticates the registry: anyone who controls its transport controls this host's keys.</summary>
    public bool Unauthenticated => Mode == SignatureMode.Off;

    /// <summary>The longest snapshot validity accepted: Registry:MaxValidity, or the root's max_snapshot_validity_seconds if smaller.</summary>
    public TimeSpan MaxValidity(TimeSpan configured) =>
        Root?.Document.MaxSnapshotValidity is { } byRoot && byRoot < configured ? byRoot : configured;
}
