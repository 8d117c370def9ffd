using KeyAgentd.Core.Codes;

namespace KeyAgentd.Core.Source;

/// <summary>Stable kebab-case names for <see cref="SourceReason"/>; never rename one.</summary>
public static class SourceReasons
{
    public static readonly CodeCatalogue<SourceReason> Catalogue = new(
        (SourceReason.InvalidYaml, "invalid-yaml"),
        (SourceReason.UnknownField, "unknown-field"),
        (SourceReason.InvalidValue, "invalid-value"),
        (SourceReason.InvalidPersonName, "invalid-person-name"),
        (SourceReason.KeyAttribute, "bad-key-attribute"),
        (SourceReason.KeySplitOverLines, "key-split-over-lines"),
        (SourceReason.SharedKey, "shared-key"),
        (SourceReason.DuplicateKey, "duplicate-key"),
        (SourceReason.UnknownGroup, "unknown-group"),
        (SourceReason.GroupCycle, "group-cycle"),
        (SourceReason.NoMatchingHost, "no-matching-host"),
        (SourceReason.NoHostSelector, "no-host-selector"),
        (SourceReason.ConflictingOptions, "conflicting-options"),
        (SourceReason.InvalidFingerprint, "invalid-fingerprint"),
        (SourceReason.NoInventory, "no-inventory"),
        (SourceReason.KeysUrlUnavailable, "keys-url-unavailable"),
        (SourceReason.LdapUnavailable, "ldap-unavailable"),
        (SourceReason.LdapEntry, "ldap-entry"),
        (SourceReason.DuplicatePerson, "duplicate-person"),
        (SourceReason.DuplicateGroup, "duplicate-group"),
        (SourceReason.MalformedRevocation, "malformed-revocation"),
        (SourceReason.InvalidSerial, "invalid-serial"),
        (SourceReason.InvalidKeyId, "invalid-key-id"),
        (SourceReason.RevocationCaRefused, "revocation-ca-refused"),
        (SourceReason.UnknownCertificateAuthority, "unknown-ca"));

    public static string ToCode(this SourceReason reason) => Catalogue.ToCode(reason);
}
