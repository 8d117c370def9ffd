using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// A FIFO planted where a command expects a file: opening it for reading blocks until a writer comes.
/// <see cref="Run"/> fails the test instead of hanging it, and disposing releases any reader an
/// unfixed command left blocked, so the test run can end.
/// </summary>
internal sealed class PlantedFifo : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public PlantedFifo(string path)
    {
        Path = path;
        File.Delete(path);
        Assert.Equal(0, Syscall.mkfifo(path, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
    }

    public string Path { get; }

    /// <summary>The command's exit code, or a failure if it is still blocked after <see cref="Patience"/>.</summary>
    public static int Run(Func<int> command)
    {
        var run = Task.Factory.StartNew(command, TaskCreationOptions.LongRunning);
        Assert.True(run.Wait(Patience), "the command blocked on a FIFO");
        return run.Result;
    }

    public void Dispose()
    {
        int fd = Syscall.open(Path, OpenFlags.O_WRONLY | OpenFlags.O_NONBLOCK);
        using var writer = fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null;
    }
}
