using KeyAgentd.Trust.Policy;

namespace KeyAgentd.Trust.Root;

/// <summary>
/// The verdict on one root document. <see cref="Root"/> is set exactly when it was accepted. The two
/// signature decisions say who signed for the previous root's keys and for the document's own keys
/// (null where the check did not get that far), for `root verify` and the audit record.
/// </summary>
public sealed record RootCheck(
    RootReason Reason,
    string? Detail,
    long? Version,
    TrustRoot? Root,
    SignatureDecision? ByPrevious,
    SignatureDecision? ByItself)
{
    public bool IsAccepted => Reason == RootReason.Accepted;

    public string ReasonCode => Reason.ToCode();

    public override string ToString() => Detail is null ? ReasonCode : $"{ReasonCode}: {Detail}";

    internal static RootCheck Refused(RootReason reason, string detail, long? version = null,
        SignatureDecision? byPrevious = null, SignatureDecision? byItself = null) =>
        new(reason, detail, version, null, byPrevious, byItself);
}
