using KeyAgentd.Writer;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.State;

public sealed partial class StateStore
{
    public const string LockFileName = "sync.lock";

    /// <summary>
    /// One cycle at a time per state directory, across processes: a manual `keyagentd sync` next to the
    /// daemon would otherwise read the same status, and the later save could put an older snapshot back
    /// as last-known-good (a silent rollback). Waits, cancellably, for the other cycle to finish.
    /// </summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancel)
    {
        PosixFile.CreateDirectory(Directory, FilePermissions.S_IRWXU | FilePermissions.S_IRGRP | FilePermissions.S_IXGRP | FilePermissions.S_IROTH | FilePermissions.S_IXOTH);
        string path = Path.Combine(Directory, LockFileName);
        var handle = PosixFile.Open(path, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC | OpenFlags.O_NOFOLLOW, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR, "open lock file");
        try
        {
            while (LibC.Flock(PosixFile.Fd(handle), LibC.LOCK_EX | LibC.LOCK_NB) != 0)
            {
                var errno = Stdlib.GetLastError();
                if (errno != Errno.EWOULDBLOCK && errno != Errno.EINTR)
                {
                    throw PosixFile.Error("flock(LOCK_EX)", path, errno);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancel).ConfigureAwait(false);
            }
            return new Held(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Closing the descriptor releases the lock.</summary>
    private sealed class Held(SafeFileHandle handle) : IDisposable
    {
        public void Dispose() => handle.Dispose();
    }
}
