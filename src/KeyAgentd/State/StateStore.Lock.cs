using KeyAgentd.Storage;
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
        StateDirectory.Create(Directory);
        string path = Path.Combine(Directory, LockFileName);
        var handle = Posix.Open(path, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_NOFOLLOW, Posix.Mode0600);
        try
        {
            await FileLock.AcquireAsync(handle, path, Timeout.InfiniteTimeSpan, cancel).ConfigureAwait(false);
            // Closing the descriptor releases the lock.
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
