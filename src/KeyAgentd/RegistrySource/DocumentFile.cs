using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// The one way the registry side reads a file back from a directory of documents (--out's previous
/// build, --diff-against, `diff OLD NEW`, `sign DIR`): whoever writes the web root, the bucket or the
/// copy of either can put anything there. Only a regular file in the directory itself is read, opened
/// without following a symlink (it could point outside DIR, and be read, compared or signed as if it were
/// there) and without blocking (a FIFO would hang the build), judged by fstat of what was opened (a device
/// never ends) and read up to a bound. Anything else is an <see cref="IOException"/> naming the file.
/// </summary>
internal static class DocumentFile
{
    /// <summary>Far above any document a build writes (hosts cap what they fetch at Registry:MaxBytes, 8 MiB by default).</summary>
    public const int MaxDocumentBytes = 256 * 1024 * 1024;

    /// <summary>A signature block is a few KiB at most (RSA-16384); this holds hundreds of signers.</summary>
    public const int MaxSignatureBytes = 1024 * 1024;

    /// <summary>The first <paramref name="prefix"/> bytes of the file (all of it by default); null when there is no such file.</summary>
    /// <exception cref="IOException">It is not a regular file, is larger than <paramref name="maxBytes"/>, or cannot be read.</exception>
    public static byte[]? TryRead(string path, int maxBytes, int prefix = int.MaxValue)
    {
        using var fd = Posix.TryOpen(path, Posix.ReadFileFlags, 0, out Errno errno);
        if (fd is null)
        {
            return errno switch
            {
                Errno.ENOENT => null,
                Errno.ELOOP => throw Refused(path, "a symlink"),
                _ => throw new PosixException(errno, "open", path),
            };
        }
        var st = Posix.Fstat(fd, path);
        if (!Posix.IsRegular(st))
        {
            throw Refused(path, Posix.Describe(st));
        }
        if (st.st_size > maxBytes)
        {
            throw new IOException($"{path}: larger than {maxBytes} bytes, so no build wrote it: remove it");
        }
        byte[] bytes = Posix.ReadBounded(fd, Math.Min(maxBytes, prefix), st.st_size, path, out bool more);
        return more && prefix >= maxBytes ? throw new IOException($"{path}: larger than {maxBytes} bytes, so no build wrote it: remove it") : bytes;
    }

    /// <exception cref="IOException">There is no such file, or <see cref="TryRead"/> refuses it.</exception>
    public static byte[] Read(string path, int maxBytes) =>
        TryRead(path, maxBytes) ?? throw new PosixException(Errno.ENOENT, "open", path);

    private static IOException Refused(string path, string what) =>
        new($"{path}: {what}, not a regular file: documents and signatures are read only as regular files in the directory itself (replace it with the file, or remove it)");
}
