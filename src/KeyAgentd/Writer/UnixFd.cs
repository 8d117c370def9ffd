using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace KeyAgentd.Writer;

/// <summary>
/// An owned file descriptor. A SafeHandle so that an exception anywhere between open and
/// close (or a forgotten path) cannot leak a descriptor to a user-controlled directory
/// for the life of the daemon.
/// </summary>
internal sealed class UnixFd : SafeHandle
{
    public UnixFd(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle == new IntPtr(-1);

    /// <summary>The raw descriptor; valid only while this object is not disposed.</summary>
    public int Value => (int)handle;

    protected override bool ReleaseHandle() => Syscall.close((int)handle) == 0;
}
