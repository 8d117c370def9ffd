namespace KeyAgentd.Core.Policy;

/// <summary>The policy's decision on one key line: a stable reason and a one-line human message.</summary>
public sealed record Verdict(ReasonCode Reason, string Message)
{
    public static readonly Verdict Accept = new(ReasonCode.Accepted, "accepted");

    public bool Accepted => Reason == ReasonCode.Accepted;

    public string Code => Reason.ToCode();

    public override string ToString() => Accepted ? Code : $"{Code}: {Message}";
}
