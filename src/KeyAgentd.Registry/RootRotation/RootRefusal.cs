namespace KeyAgentd.RootRotation;

/// <summary>
/// Why a `keyagentd-registry root` command refused to write anything. The string form
/// (<see cref="RootRefusals"/>) is what the command prints first, so a script or a reviewer can tell
/// refusals apart; docs/trust-root.md lists them. A refusal changes no file.
/// </summary>
internal enum RootRefusal
{
    /// <summary>No --expires: a root that never expires could stay trusted for ever after its keys are lost.</summary>
    NoExpiry,

    /// <summary>The root breaks a rule its own root keys could not live with (TrustRootRules.CheckPublishable): a threshold above the keys, an expiry past or beyond the maximum.</summary>
    RulesBroken,

    /// <summary>An argument does not describe a change: an unreadable key file, a bad date, removing a key the root does not hold, adding one it holds, no change at all.</summary>
    ChangeInvalid,

    /// <summary>A root file that is not a root the tool wrote: it does not parse strictly, or is not the canonical rendering.</summary>
    Unreadable,

    /// <summary>The version to be written already exists with other bytes.</summary>
    VersionExists,

    /// <summary>The signing key is none of the root keys of the document or of its predecessor (or is revoked).</summary>
    SignerNotRootKey,

    /// <summary>The document already carries a block of this key.</summary>
    AlreadySigned,

    /// <summary>A block the .sig carries does not verify over the document's bytes: the document changed after it was signed.</summary>
    StaleSignature,

    /// <summary>A published version (or a newer one) differs from the one being published: published versions never change.</summary>
    PublishedDiffers,

    /// <summary>The chain to publish does not verify from version 1 to its newest version, or its newest has expired.</summary>
    ChainBroken,
}
