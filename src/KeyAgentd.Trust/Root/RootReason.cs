namespace KeyAgentd.Trust.Root;

/// <summary>
/// Why a trust root document was accepted or refused. The string form (<see cref="RootReasons"/>) is a
/// public, stable interface: audit log, metrics label, status, `keyagentd-registry root verify`.
/// </summary>
public enum RootReason
{
    Accepted,
    /// <summary>Not a root document this host can read: JSON, schema, a field, a key, an unsatisfiable threshold.</summary>
    Malformed,
    /// <summary>No signature block verifies (bad bytes, wrong namespace, no .sig at all).</summary>
    SignatureInvalid,
    /// <summary>Valid signatures, but too few distinct root principals of the previous or of the new root.</summary>
    ThresholdNotMet,
    /// <summary>The document's version is more than one above the current root's.</summary>
    VersionSkip,
    /// <summary>The document's version is not above the current root's: a replay of an older root.</summary>
    Rollback,
    /// <summary>The newest root this host could reach has expired: no snapshot is trusted until a successor is published.</summary>
    Expired,
    /// <summary>A bootstrap root whose signing root keys are not the fingerprints pinned on the host.</summary>
    PinMismatch,
    /// <summary>
    /// This host once accepted a higher version than it can prove now (trust state and kept roots lost, the
    /// next version not served): the lower root may trust a signer the higher one dropped.
    /// </summary>
    StateLost,
}
