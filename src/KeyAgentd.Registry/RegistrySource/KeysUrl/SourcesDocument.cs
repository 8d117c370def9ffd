using KeyAgentd.RegistrySource.Ldap;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>What sources.yaml says: people whose keys are at <c>.keys</c> URLs, and the LDAP directory (null when there is no <c>ldap:</c> section or it is invalid).</summary>
internal sealed record SourcesDocument(IReadOnlyList<KeysUrlSource> KeysUrls, LdapSettings? Ldap);
