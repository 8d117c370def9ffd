namespace KeyAgentd.Trust.Policy;

/// <summary>
/// What was decided about one signature block, for `registry verify`, `status` and the audit log.
/// Key fields are null when the block could not be parsed far enough to name its key.
/// </summary>
public sealed record SignatureVerdict(
    int Index,
    TrustReason Reason,
    string? Detail,
    string? KeyType,
    string? Fingerprint,
    string? Principals,
    string? Namespace,
    string? Hash,
    bool CountsTowardThreshold)
{
    public bool IsValid => Reason == TrustReason.Accepted;

    public string ReasonCode => Reason.ToCode();
}
