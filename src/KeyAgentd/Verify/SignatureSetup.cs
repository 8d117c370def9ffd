using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust.Policy;

namespace KeyAgentd.Verify;

/// <summary>How this cycle judges signatures: the mode, the trust roots, and why they could not be read if they could not.</summary>
/// <param name="Trust">Null when the mode is off or the roots are unusable.</param>
/// <param name="Problem">The trust roots are configured but unreadable: under enforce every snapshot is refused with it.</param>
/// <param name="Warnings">Lines of allowed_signers that grant nothing (a revoked signers line that revokes nothing is a Problem instead).</param>
public sealed record SignatureSetup(SignatureMode Mode, RegistryTrust? Trust, SnapshotError? Problem, IReadOnlyList<string> Warnings)
{
    public const string TrustRootsUnusable = "trust-roots-unusable";

    /// <summary>Nothing authenticates the registry: anyone who controls its transport controls this host's keys.</summary>
    public bool Unauthenticated => Mode == SignatureMode.Off;
}
