using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>
/// Which bytes a path holds, without reading them: device, inode, size, and the modification and
/// status-change times to the nanosecond. Any write changes the change time, which only the kernel
/// sets, and a replacement by rename changes the inode, so an equal identity means the same bytes.
/// For the daemon's own root-owned files, read every cycle (the last-known-good snapshot, a file://
/// registry): megabytes not read and hashed again when nothing changed.
/// The kernel stamps times from a clock that ticks every few milliseconds, so two writes of the same
/// size within one tick can leave equal identities: only an identity <see cref="IsSettled"/> (last
/// changed well before it was taken) may stand for the bytes read after it (as git treats a "racily
/// clean" file).
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long ModifiedNs, long ChangedNs)
{
    public static bool TryOf(string path, out FileIdentity identity)
    {
        identity = default;
        if (Syscall.stat(path, out Stat st) != 0)
        {
            return false;
        }
        identity = Of(st);
        return true;
    }

    public static FileIdentity Of(in Stat st) => new(st.st_dev, st.st_ino, st.st_size,
        st.st_mtime * 1_000_000_000 + st.st_mtime_nsec, st.st_ctime * 1_000_000_000 + st.st_ctime_nsec);

    private static readonly long SettleNs = (long)TimeSpan.FromSeconds(2).TotalNanoseconds;

    /// <summary>Last changed at least two seconds before <paramref name="now"/>: any later write shows in the change time.</summary>
    public bool IsSettled(DateTimeOffset now) => ChangedNs <= (now.ToUnixTimeMilliseconds() * 1_000_000) - SettleNs;
}
