using System.Runtime.InteropServices;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// glibc's <c>struct stat</c> as fstat(2) and stat(2) fill it, one definition per architecture the
/// helper is built for (the field order and widths differ: x86-64 has a 64-bit st_nlink before
/// st_mode, arm64 the generic layout with a 32-bit st_nlink after it). Only the fields the helper reads
/// are named; the rest are there for their size. The tests compare each layout's offsets and size
/// with the C compiler's for that architecture.
/// </summary>
internal static class KernelStat
{
    /// <summary>glibc sysdeps/unix/sysv/linux/x86/bits/struct_stat.h, __x86_64__.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct X64
    {
        public ulong Device;
        public ulong Inode;
        public ulong LinkCount;
        public uint Mode;
        public uint Uid;
        public uint Gid;
        public int Padding0;
        public ulong RawDevice;
        public long Size;
        public long BlockSize;
        public long Blocks;
        public Timespec AccessTime;
        public Timespec ModificationTime;
        public Timespec ChangeTime;
        public long Reserved0;
        public long Reserved1;
        public long Reserved2;
    }

    /// <summary>glibc sysdeps/unix/sysv/linux/generic/bits/struct_stat.h (aarch64, 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Arm64
    {
        public ulong Device;
        public ulong Inode;
        public uint Mode;
        public uint LinkCount;
        public uint Uid;
        public uint Gid;
        public ulong RawDevice;
        public ulong Padding1;
        public long Size;
        public int BlockSize;
        public int Padding2;
        public long Blocks;
        public Timespec AccessTime;
        public Timespec ModificationTime;
        public Timespec ChangeTime;
        public int Reserved0;
        public int Reserved1;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
