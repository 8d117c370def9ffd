using System.Text.Json.Serialization;

namespace KeyAgentd.Sync;

/// <summary>
/// An account a cycle could not bring in line; its files are as they were. <see cref="Code"/> is a
/// stable reason (a writer refusal such as <c>ssh-dir-writable</c>, <c>io-error</c>, or
/// <c>managed-block-damaged</c>, <c>cache-write-failed</c>) carried unchanged to status, the audit log and metrics.
/// </summary>
public sealed record AccountFailure(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message)
{
    public const string ManagedBlockDamaged = "managed-block-damaged";

    /// <summary>keys/&lt;user&gt; could not be written: keyagentd-keys goes on serving the keys it held before.</summary>
    public const string CacheWriteFailed = "cache-write-failed";
}
