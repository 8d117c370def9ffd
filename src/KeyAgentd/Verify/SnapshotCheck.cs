using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust.Policy;

namespace KeyAgentd.Verify;

/// <summary>
/// Everything decided about one fetched document before it may be applied.
/// </summary>
/// <param name="Snapshot">The parsed document; null when it was refused before or while parsing.</param>
/// <param name="Signature">The verdict on its signatures; null when signatures are off (or the roots were unusable).</param>
/// <param name="Problem">Why it is refused; null when it may be applied.</param>
/// <param name="Reported">A signature or validity problem let through because Registry:Signatures is report.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the document's bytes.</param>
public sealed record SnapshotCheck(RegistrySnapshot? Snapshot, SignatureDecision? Signature, SnapshotError? Problem, SnapshotError? Reported, string Sha256)
{
    public bool IsAccepted => Problem is null && Snapshot is not null;

    /// <summary>The stable word for the signature state: a <c>TrustReason</c> code, or "unchecked" when signatures are off.</summary>
    public string SignatureVerdict => Signature?.ReasonCode ?? (Reported ?? Problem) switch
    {
        { Code: SignatureSetup.TrustRootsUnusable } => SignatureSetup.TrustRootsUnusable,
        _ => "unchecked",
    };
}
