namespace KeyAgentd.EndToEnd;

/// <summary>
/// Needs root (useradd, a real sshd), /usr/sbin/sshd and the published out/bin. xunit 2 has no
/// runtime skip, so the decision is made when the attribute is read; the reason shows in the output.
/// </summary>
public sealed class EndToEndTheoryAttribute : TheoryAttribute
{
    public EndToEndTheoryAttribute()
    {
        Skip = SshdLab.SkipReason();
    }
}
