namespace KeyAgentd.Trust.AllowedSigners;

/// <summary>A line of an allowed_signers file that grants nothing, and why.</summary>
public sealed record AllowedSignersError(int LineNumber, string Message)
{
    public override string ToString() => $"line {LineNumber}: {Message}";
}
