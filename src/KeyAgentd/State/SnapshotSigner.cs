using System.Text.Json.Serialization;

namespace KeyAgentd.State;

/// <summary>One signer of the snapshot in use, as `status` shows it.</summary>
public sealed record SnapshotSigner(
    [property: JsonPropertyName("principals")] string Principals,
    [property: JsonPropertyName("key_type")] string KeyType,
    [property: JsonPropertyName("fingerprint")] string Fingerprint);
