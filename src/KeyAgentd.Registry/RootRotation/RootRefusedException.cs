namespace KeyAgentd.RootRotation;

/// <summary>A `root` command's refusal: its code and the human message (raw; escaped where it is printed).</summary>
internal sealed class RootRefusedException(RootRefusal refusal, string message) : Exception(message)
{
    public RootRefusal Refusal { get; } = refusal;

    public string Code => Refusal.ToCode();
}
