namespace KeyAgentd.Verify;

/// <summary>Registry:Signatures. Its stable spelling (<see cref="SignatureModes"/>) is what config, status and metrics use.</summary>
public enum SignatureMode
{
    /// <summary>A snapshot is applied only when its signatures, audience and validity pass; otherwise the last-known-good stays.</summary>
    Enforce,

    /// <summary>Everything is verified, audited and counted, and the snapshot is applied anyway (for migrating a fleet).</summary>
    Report,

    /// <summary>Nothing is verified: the registry is trusted by its transport alone (warned about at every cycle).</summary>
    Off,
}
