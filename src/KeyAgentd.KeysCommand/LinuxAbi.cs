using System.Runtime.InteropServices;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The numbers of the Linux ABI the helper passes to libc that are not the same on the two
/// architectures it is built for. The open flags are the kernel's (x86-64 takes asm-generic/fcntl.h,
/// arm64 its own arch/arm64/include/uapi/asm/fcntl.h, where O_DIRECTORY and O_NOFOLLOW sit one
/// place lower: x86-64's O_NOFOLLOW is arm64's O_LARGEFILE, so the x86-64 numbers on arm64 follow a
/// symlinked cache file). The stat layouts are in <see cref="KernelStat"/>. Both are checked against
/// each architecture's C headers by the tests (the C compiler is the oracle).
/// </summary>
internal sealed record LinuxAbi(Architecture Architecture, int ODirectory, int ONoFollow)
{
    // The same on both: asm-generic/fcntl.h, which arm64 does not override for these.
    public const int ORdOnly = 0;
    public const int ONonBlock = 0x800;
    public const int OPath = 0x200000;
    public const int OCloExec = 0x80000;

    public static readonly LinuxAbi X64 = new(Architecture.X64, ODirectory: 0x10000, ONoFollow: 0x20000);
    public static readonly LinuxAbi Arm64 = new(Architecture.Arm64, ODirectory: 0x4000, ONoFollow: 0x8000);

    /// <summary>
    /// The process's own. Any other architecture throws: the helper is only built for these two, and a
    /// wrong flag would silently follow a symlink, so a port must add its numbers here first.
    /// </summary>
    public static readonly LinuxAbi Current = For(RuntimeInformation.ProcessArchitecture)
        ?? throw new PlatformNotSupportedException($"keyagentd-keys has no Linux ABI numbers for {RuntimeInformation.ProcessArchitecture}");

    public static LinuxAbi? For(Architecture architecture) => architecture switch
    {
        Architecture.X64 => X64,
        Architecture.Arm64 => Arm64,
        _ => null,
    };
}
