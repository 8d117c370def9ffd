namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// One registry document (schema v1) as parsed: structure only, no key has been judged yet.
/// <see cref="Rejections"/> carries what the parser had to skip without refusing the whole
/// document (an account name no host could have), so a dry run can still show it.
/// </summary>
public sealed record RegistrySnapshot(
    string Schema,
    long Serial,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? ExpiresAt,
    IReadOnlyDictionary<string, RegistryPerson> People,
    IReadOnlyDictionary<string, RegistryAccount> Accounts,
    IReadOnlyList<string> Revoked)
{
    public const string SchemaV1 = "keyagentd.registry/v1";

    public IReadOnlyList<KeyRejection> Rejections { get; init; } = [];

    /// <summary>`removal_approval`: a reviewed large removal the mass-removal guard lets through.</summary>
    public RemovalApproval? RemovalApproval { get; init; }

    /// <summary>`audience`: host-name globs this snapshot is for; null when the document names none (every host).</summary>
    public IReadOnlyList<string>? Audience { get; init; }

    /// <summary>`revoked_certificates`: certificates revoked by serial or key ID under their CA, one canonical entry per CA.</summary>
    public IReadOnlyList<RevokedCertificates> RevokedCertificates { get; init; } = [];
}
