using Mono.Unix.Native;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// A FIFO planted where a state file belongs. Opening one for reading blocks until a writer comes, so a
/// test that would hang on today's code waits with a time limit, and then lets the blocked reader go.
/// </summary>
public static class Fifo
{
    public static void Make(string path)
    {
        File.Delete(path);
        Assert.Equal(0, Syscall.mkfifo(path, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR | FilePermissions.S_IRGRP | FilePermissions.S_IROTH));
    }

    /// <summary><paramref name="run"/>'s result within 30 s; a reader still blocked on <paramref name="path"/> is then given end-of-file.</summary>
    public static async Task<T> WithoutHangingOn<T>(string path, Func<Task<T>> run)
    {
        try
        {
            return await Task.Run(run).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            // A writer that opens and closes the FIFO ends the blocked open(2) and read(2).
            int fd = Syscall.open(path, OpenFlags.O_WRONLY | OpenFlags.O_NONBLOCK);
            if (fd >= 0)
            {
                _ = Syscall.close(fd);
            }
        }
    }
}
