using System.Diagnostics;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.Storage;

public sealed class FileLockTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string LockPath => _temp.File("sync.lock");

    /// <summary>A second open file description of the same lock file: another holder, as another process would be.</summary>
    private SafeFileHandle Open() => Posix.Open(LockPath, OpenFlags.O_RDWR | OpenFlags.O_CREAT, Posix.Mode0600);

    [Fact]
    public void Two_holders_exclude_each_other_until_the_first_closes()
    {
        using var second = Open();
        using (var first = Open())
        {
            FileLock.Acquire(first, LockPath, TimeSpan.FromSeconds(1));
            Assert.False(FileLock.TryAcquire(second, LockPath));
        }

        Assert.True(FileLock.TryAcquire(second, LockPath));
    }

    [Fact]
    public void Release_lets_the_other_holder_in_while_the_descriptor_stays_open()
    {
        using var first = Open();
        using var second = Open();
        FileLock.Acquire(first, LockPath, TimeSpan.FromSeconds(1));

        FileLock.Release(first);

        Assert.True(FileLock.TryAcquire(second, LockPath));
        Assert.False(FileLock.TryAcquire(first, LockPath));
    }

    [Fact]
    public async Task A_waiter_gets_the_lock_as_soon_as_the_holder_lets_go()
    {
        using var waiter = Open();
        var holder = Open();
        FileLock.Acquire(holder, LockPath, TimeSpan.FromSeconds(1));

        var waiting = FileLock.AcquireAsync(waiter, LockPath, Timeout.InfiniteTimeSpan, CancellationToken.None);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);

        holder.Dispose();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        using var third = Open();
        Assert.False(FileLock.TryAcquire(third, LockPath));
    }

    [Fact]
    public void A_wait_past_the_timeout_fails_with_EWOULDBLOCK_naming_the_call_and_path()
    {
        using var holder = Open();
        using var waiter = Open();
        FileLock.Acquire(holder, LockPath, TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<PosixException>(() => FileLock.Acquire(waiter, LockPath, TimeSpan.FromMilliseconds(300)));

        // Not a timing assertion: only that it waited rather than failing at once (clocks differ by a tick).
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(200), $"gave up after {clock.Elapsed}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"gave up only after {clock.Elapsed}");
        Assert.Equal(Errno.EWOULDBLOCK, e.Errno);
        Assert.Equal("flock(LOCK_EX)", e.Operation);
        Assert.Equal(LockPath, e.Path);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Fact]
    public async Task The_timeout_also_bounds_the_async_wait()
    {
        using var holder = Open();
        using var waiter = Open();
        FileLock.Acquire(holder, LockPath, TimeSpan.FromSeconds(1));

        var e = await Assert.ThrowsAsync<PosixException>(() => FileLock.AcquireAsync(waiter, LockPath, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.Equal(Errno.EWOULDBLOCK, e.Errno);
    }

    [Fact]
    public void Waiting_without_a_timeout_is_cancellable()
    {
        using var holder = Open();
        using var waiter = Open();
        FileLock.Acquire(holder, LockPath, TimeSpan.FromSeconds(1));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.ThrowsAny<OperationCanceledException>(() => FileLock.Acquire(waiter, LockPath, Timeout.InfiniteTimeSpan, cancel.Token));
        Assert.False(FileLock.TryAcquire(waiter, LockPath));
    }

    [Fact]
    public async Task The_async_wait_is_cancellable()
    {
        using var holder = Open();
        using var waiter = Open();
        FileLock.Acquire(holder, LockPath, TimeSpan.FromSeconds(1));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FileLock.AcquireAsync(waiter, LockPath, Timeout.InfiniteTimeSpan, cancel.Token));
    }

    [Fact]
    public void A_lock_held_by_another_process_is_seen()
    {
        string held = _temp.File("held"), release = _temp.File("release");
        // flock(1): how an operator, or another keyagentd, holds the same lock. It runs the command
        // only once it holds the lock, so the marker file says when that is; it lets go when told.
        using var other = Process.Start("flock",
            ["-x", LockPath, "sh", "-c", "touch \"$0\"; while [ ! -e \"$1\" ]; do sleep 0.02; done", held, release]);
        using var handle = Open();
        Assert.True(SpinWait.SpinUntil(() => File.Exists(held), TimeSpan.FromSeconds(30)), "flock never held the lock");

        Assert.False(FileLock.TryAcquire(handle, LockPath));
        File.WriteAllText(release, "");
        other.WaitForExit();
        Assert.True(FileLock.TryAcquire(handle, LockPath));
    }

    [Fact]
    public void A_directory_can_be_locked()
    {
        // The writer locks the home and ~/.ssh, which only flock (not fcntl) can do on a read-only descriptor.
        using var first = Posix.Open(_temp.Path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
        using var second = Posix.Open(_temp.Path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);

        Assert.True(FileLock.TryAcquire(first, _temp.Path));
        Assert.False(FileLock.TryAcquire(second, _temp.Path));
    }
}
