using Mono.Unix.Native;

namespace KeyAgentd.Tests.Support;

/// <summary>A theory that needs root (it chowns files to another user); skipped otherwise, as <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (Syscall.geteuid() != 0)
        {
            Skip = "needs root: chowns files to another user";
        }
    }
}
