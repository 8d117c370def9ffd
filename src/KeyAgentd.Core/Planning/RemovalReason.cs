namespace KeyAgentd.Core.Planning;

/// <summary>
/// Why a line leaves a file. The guard treats them differently: a <see cref="Revoked"/> or
/// <see cref="Expired"/> key is always removed (revocation wins), a <see cref="NotGranted"/> one
/// counts towards the mass-removal guard, and the rest never granted access in the first place.
/// </summary>
public enum RemovalReason
{
    /// <summary>The registry no longer grants this key to this account.</summary>
    NotGranted,

    /// <summary>The key's fingerprint is on the snapshot's `revoked` list.</summary>
    Revoked,

    /// <summary>The registry's entry for this key is past its not_after (or expiry-time).</summary>
    Expired,

    /// <summary>A second line for a key that is already in the file: sshd only ever uses the first.</summary>
    DuplicateKey,

    /// <summary>A comment line keyagentd did not write, inside the part of the file it owns.</summary>
    ForeignComment,

    /// <summary>A line sshd could not use (bad options, bad blob…).</summary>
    InvalidLine,

    /// <summary>
    /// Taken out of authorized_keys because file delivery was switched off (`Delivery:AuthorizedKeysFiles`
    /// false): keyagentd no longer maintains the file, so nothing it wrote may stay there to outlive a
    /// revocation. A key the registry still grants goes on being served by keyagentd-keys.
    /// </summary>
    DeliveryOff,

    /// <summary>
    /// The helper cache of an account keyagentd no longer manages (`Accounts:Exclude`, no local account):
    /// no cycle would write it again, so a key in it would keep working whatever the registry says.
    /// </summary>
    AccountUnmanaged,
}
