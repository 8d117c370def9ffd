using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>
/// flock(2), the one lock keyagentd takes: on the state directory's sync.lock (one cycle at a time),
/// on a home and its ~/.ssh (writers of one account), and on the audit log (one appender).
/// flock and not fcntl: a directory can only be flock()ed (fcntl record locks need a writable
/// descriptor), and an flock belongs to the open file, not the process, so two threads of one
/// process exclude each other like two processes do. The lock goes away when the descriptor is
/// closed, so a crashed holder never leaves one behind.
/// </summary>
/// <remarks>
/// Waiting polls with LOCK_NB: a blocking flock can be given neither a deadline nor a cancellation.
/// A deadline matters where the other holder may be a user (~/.ssh is theirs to flock too);
/// cancellation where the waiter is a stopping daemon.
/// </remarks>
internal static class FileLock
{
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int LOCK_UN = 8;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Takes the exclusive lock, waiting at most <paramref name="timeout"/>
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: as long as it takes).
    /// </summary>
    /// <exception cref="PosixException">EWOULDBLOCK once the timeout has passed; any other flock failure.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired while waiting.</exception>
    public static void Acquire(SafeFileHandle fd, string path, TimeSpan timeout, CancellationToken cancel = default)
    {
        long deadline = Deadline(timeout);
        while (!TryAcquire(fd, path))
        {
            ThrowIfPast(deadline, path);
            if (cancel.WaitHandle.WaitOne(PollInterval))
            {
                cancel.ThrowIfCancellationRequested();
            }
        }
    }

    /// <inheritdoc cref="Acquire"/>
    public static async Task AcquireAsync(SafeFileHandle fd, string path, TimeSpan timeout, CancellationToken cancel)
    {
        long deadline = Deadline(timeout);
        while (!TryAcquire(fd, path))
        {
            ThrowIfPast(deadline, path);
            await Task.Delay(PollInterval, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>One attempt: false when another open file holds the lock.</summary>
    /// <exception cref="PosixException">flock failed for another reason than the lock being held.</exception>
    public static bool TryAcquire(SafeFileHandle fd, string path)
    {
        while (Flock(Posix.Fd(fd), LOCK_EX | LOCK_NB) != 0)
        {
            Errno errno = Posix.LastError();
            if (errno == Errno.EWOULDBLOCK)
            {
                return false;
            }
            if (errno != Errno.EINTR)
            {
                Posix.Throw(errno, "flock(LOCK_EX)", path);
            }
        }
        return true;
    }

    /// <summary>Releases early, keeping the descriptor; closing it releases too.</summary>
    public static void Release(SafeFileHandle fd) => _ = Flock(Posix.Fd(fd), LOCK_UN);

    private static long Deadline(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;

    private static void ThrowIfPast(long deadline, string path)
    {
        if (Environment.TickCount64 >= deadline)
        {
            // The errno flock itself gave for "held": what waiting longer would have kept returning.
            Posix.Throw(Errno.EWOULDBLOCK, "flock(LOCK_EX)", path);
        }
    }

    // Mono.Posix does not wrap flock.
    [DllImport("libc", SetLastError = true, EntryPoint = "flock")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Flock(int fd, int operation);
}
