namespace KeyAgentd.Trust.Policy;

/// <summary>
/// The verdict on a snapshot's signatures. <see cref="Reason"/> is <see cref="TrustReason.Accepted"/>
/// exactly when <see cref="IsAccepted"/>; otherwise it is the stable refusal code to audit.
/// </summary>
public sealed record SignatureDecision(
    TrustReason Reason,
    string? Detail,
    int Threshold,
    int DistinctValidSigners,
    IReadOnlyList<SignatureVerdict> Signatures,
    string? SnapshotSha256)
{
    public bool IsAccepted => Reason == TrustReason.Accepted;

    public string ReasonCode => Reason.ToCode();

    /// <summary>Principals of the signatures that counted, for the snapshot-accepted audit record.</summary>
    public IEnumerable<string> SignerPrincipals => Signatures.Where(s => s.CountsTowardThreshold).Select(s => s.Principals!);

    public IEnumerable<string> SignerFingerprints => Signatures.Where(s => s.CountsTowardThreshold).Select(s => s.Fingerprint!);
}
