using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Verify;

/// <param name="Snapshot">What this cycle applies: a fresh snapshot, or the last-known-good one; null when there is neither.</param>
/// <param name="Fresh">A newly accepted document (saved as last-known-good once applied).</param>
/// <param name="Signature">The fresh document's .sig bytes, saved beside it as its proof.</param>
/// <param name="Check">What the verification stage decided about the fresh document (signers, verdict, SHA-256).</param>
/// <param name="Problem">Why the registry's answer could not be used, if it could not.</param>
internal sealed record AcquiredSnapshot(RegistrySnapshot? Snapshot, bool Fresh, byte[]? Content, string? ETag, SnapshotError? Problem)
{
    public byte[]? Signature { get; init; }

    public SnapshotCheck? Check { get; init; }
}
