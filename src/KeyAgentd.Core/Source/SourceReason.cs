namespace KeyAgentd.Core.Source;

/// <summary>
/// What is wrong with a registry source beyond one key (the key's own problems keep their
/// <see cref="Policy.ReasonCode"/>). The string form (<see cref="SourceReasons"/>) is stable: CI bots match on it.
/// </summary>
public enum SourceReason
{
    InvalidYaml,
    UnknownField,
    InvalidValue,
    InvalidPersonName,
    KeyAttribute,
    KeySplitOverLines,
    SharedKey,
    DuplicateKey,
    UnknownGroup,
    GroupCycle,
    NoMatchingHost,
    NoHostSelector,
    ConflictingOptions,
    InvalidFingerprint,
    NoInventory,
    KeysUrlUnavailable,
    LdapUnavailable,
    LdapEntry,
    DuplicatePerson,
    DuplicateGroup,
    MalformedRevocation,
    InvalidSerial,
    InvalidKeyId,
    RevocationCaRefused,
    UnknownCertificateAuthority,
}
