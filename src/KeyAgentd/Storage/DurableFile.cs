using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>
/// Replaces a small state file so that a crash leaves either the old content or the new one:
/// temp file in the same directory, fsync, rename over the target, fsync the directory.
/// </summary>
internal static class DurableFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, FilePermissions mode)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? throw new IOException($"{fullPath} has no parent directory");
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var handle = PosixFile.Open(temp, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL | OpenFlags.O_NOFOLLOW, mode, "creating"))
            {
                PosixFile.Chmod(handle, mode, temp);
                using var stream = new FileStream(handle, FileAccess.Write, bufferSize: 0);
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"writing {fullPath}: {e.Message}", e);
        }
        FsyncDirectory(directory);
    }

    /// <summary>Makes a rename or a file creation in <paramref name="directory"/> survive a power loss.</summary>
    public static void FsyncDirectory(string directory)
    {
        using var handle = PosixFile.Open(directory, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY, 0, "opening directory");
        if (Syscall.fsync(PosixFile.Fd(handle)) != 0)
        {
            throw PosixFile.Error("fsync of directory", directory);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
