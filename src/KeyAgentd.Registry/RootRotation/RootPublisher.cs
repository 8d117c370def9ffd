using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.RootRotation;

/// <summary>
/// `root publish`'s I/O: WEBROOT/root/ is flock()ed (two publishers never interleave), read back, planned
/// (<see cref="RootPublishPlan"/>, which also verifies the chain), then each step is one durable write
/// (temp file, fsync, rename, fsync of the directory) in the plan's order, so a crash at any point leaves
/// a prefix of the plan: never a document without its .sig, never current.json ahead of its version.
/// </summary>
internal static class RootPublisher
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

    /// <returns>the steps written, in order</returns>
    /// <exception cref="RootRefusedException">The plan refuses; nothing was written.</exception>
    /// <exception cref="IOException">A directory or file cannot be read or written.</exception>
    public static IReadOnlyList<RootPublishPlan.Step> Publish(RootDirectory source, RootChainCheck.Result chain, string webRoot)
    {
        string target = Path.Combine(webRoot, "root");
        Directory.CreateDirectory(target);
        SafeFileHandle directory;
        try
        {
            directory = Posix.Open(target, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        }
        catch (PosixException e)
        {
            throw new IOException($"{target}: {e.Message}", e);
        }
        using (directory)
        {
            try
            {
                FileLock.Acquire(directory, target, LockWait);
            }
            catch (PosixException e) when (e.Errno == Errno.EWOULDBLOCK)
            {
                throw new IOException($"{target}: another keyagentd-registry root publish is working on it", e);
            }
            var steps = RootPublishPlan.Decide(source, chain, RootDirectory.Read(target));
            foreach (var step in steps)
            {
                DurableFile.WriteAllBytes(Path.Combine(target, step.Name), step.Bytes, Posix.Mode0644);
            }
            return steps;
        }
    }
}
