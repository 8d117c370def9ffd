using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// New documents are written and signed in DIR/.staging-&lt;pid&gt; (the same file system),
/// flushed to disk together, then renamed into place: each .sig before its .json, so a document is never visible without its
/// signature and a file is always either the old bytes or the new ones. DIR itself is flock()ed
/// while a build or sign works on it, so two never interleave their renames; a staging directory
/// left by a crashed one is removed. Removed on dispose.
/// </summary>
internal sealed class StagingDirectory : IDisposable
{
    private const string Prefix = ".staging-";

    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

    private readonly string _output;
    private readonly SafeFileHandle _lock;

    private StagingDirectory(string output, string path, SafeFileHandle directoryLock)
    {
        _output = output;
        Path = path;
        _lock = directoryLock;
    }

    public string Path { get; }

    /// <exception cref="IOException">DIR cannot be opened, or another build or sign holds it.</exception>
    public static StagingDirectory Create(string outputDirectory)
    {
        SafeFileHandle directoryLock;
        try
        {
            directoryLock = Posix.Open(outputDirectory, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        }
        catch (PosixException e)
        {
            throw new IOException($"{outputDirectory}: {e.Message}", e);
        }
        try
        {
            // A short wait, not none: a lock just released can linger for a moment in a process forked
            // (not yet exec'd) while it was held; the descriptor is O_CLOEXEC, so that never lasts.
            FileLock.Acquire(directoryLock, outputDirectory, LockWait);
        }
        catch (PosixException e)
        {
            directoryLock.Dispose();
            throw e.Errno == Errno.EWOULDBLOCK ? new IOException($"{outputDirectory}: another keyagentd-registry build or sign is working on it", e) : e;
        }
        foreach (string stale in Directory.EnumerateDirectories(outputDirectory, Prefix + "*"))
        {
            Directory.Delete(stale, recursive: true);
        }
        string path = System.IO.Path.Combine(outputDirectory, Prefix + Environment.ProcessId);
        Directory.CreateDirectory(path);
        return new StagingDirectory(outputDirectory, path, directoryLock);
    }

    /// <summary>Not fsynced one by one: <see cref="Publish"/> flushes every staged file with one sync(2) before any rename.</summary>
    public string Write(string name, Action<Stream> content)
    {
        string path = System.IO.Path.Combine(Path, name);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
        {
            content(stream);
        }
        return path;
    }

    public string Write(string name, byte[] content) => Write(name, stream => stream.Write(content));

    /// <summary>Moves staged "&lt;document&gt;.sig" files over the published ones, after one sync(2); the documents are not touched.</summary>
    public void PublishSignatures(IReadOnlyList<string> documents)
    {
        _ = Syscall.sync();
        foreach (string name in documents)
        {
            File.Move(System.IO.Path.Combine(Path, name + ".sig"), System.IO.Path.Combine(_output, name + ".sig"), overwrite: true);
        }
        DurableFile.FsyncDirectory(_output);
    }

    /// <summary>
    /// Moves staged documents (and their .sig when signed) into the output, then the signatures of
    /// documents that stay as they are, and deletes documents no longer built.
    /// </summary>
    public void Publish(IReadOnlyList<string> documents, bool signed, IReadOnlyList<string> deleted, IReadOnlyList<string> signaturesOnly)
    {
        // Ten thousand fsyncs cost more than the build; one sync(2) puts every staged byte on disk before
        // the first rename makes any of them visible.
        _ = Syscall.sync();
        foreach (string name in documents)
        {
            string target = System.IO.Path.Combine(_output, name);
            if (signed)
            {
                File.Move(System.IO.Path.Combine(Path, name + ".sig"), target + ".sig", overwrite: true);
            }
            else
            {
                // An unsigned rebuild must not leave the old document's signature beside new bytes.
                File.Delete(target + ".sig");
            }
            File.Move(System.IO.Path.Combine(Path, name), target, overwrite: true);
        }
        foreach (string name in signaturesOnly)
        {
            File.Move(System.IO.Path.Combine(Path, name + ".sig"), System.IO.Path.Combine(_output, name + ".sig"), overwrite: true);
        }
        foreach (string name in deleted)
        {
            string target = System.IO.Path.Combine(_output, name);
            File.Delete(target);
            File.Delete(target + ".sig");
        }
        DurableFile.FsyncDirectory(_output);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover staging directory is removed by the next build.
        }
        _lock.Dispose();
    }
}
