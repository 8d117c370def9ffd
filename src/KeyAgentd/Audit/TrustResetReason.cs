namespace KeyAgentd.Audit;

/// <summary>How an operator lowered this host's trust: the <c>reason</c> of a trust-reset record (<see cref="TrustResetReasons"/>).</summary>
public enum TrustResetReason
{
    /// <summary>`keyagentd trust reset-serial --to N`: the rollback floor set to the record's serial.</summary>
    ResetSerial,

    /// <summary>`keyagentd trust allow-unsigned`: signatures no longer required by the host's own history.</summary>
    AllowUnsigned,

    /// <summary>`keyagentd trust reset-root`: the trust root floor set to the record's root_version (the highest root still kept, or none).</summary>
    ResetRoot,
}
