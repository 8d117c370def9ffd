using Mono.Unix.Native;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// A fact that needs root (it creates real accounts, chowns and mounts). xunit 2 has no
/// runtime skip, so the decision is made when the attribute is read; the reason shows in the output.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Syscall.geteuid() != 0)
        {
            Skip = "needs root: creates real accounts";
        }
    }
}
