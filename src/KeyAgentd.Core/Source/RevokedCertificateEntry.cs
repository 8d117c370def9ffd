using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>One `serial …` or `key-id …` line of the `revoked` file: certificates of one CA, and where the line was written.</summary>
public sealed record RevokedCertificateEntry(SshPublicKey Ca, SerialRange? Serials, string? KeyId, SourceLocation Location)
{
    public RevokedCertificates ToRevocation() =>
        new(Ca, Serials is { } serials ? [serials] : [], KeyId is { } keyId ? [keyId] : []);
}
