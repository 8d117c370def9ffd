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
/// `registry verify` reads the file its operator names the same way, but through a symlink.
/// </summary>
internal static class DocumentFile
{
    /// <summary>Far above any document a build writes (hosts cap what they fetch at Registry:MaxBytes, 8 MiB by default).</summary>
    public const int MaxDocumentBytes = 256 * 1024 * 1024;

    /// <summary>A signature block is a few KiB at most (RSA-16384); this holds hundreds of signers.</summary>
    public const int MaxSignatureBytes = 1024 * 1024;

    /// <summary>The first <paramref name="prefix"/> bytes of the file (all of it by default); null when there is no such file.</summary>
    /// <param name="followSymlink">only for a path the operator named on the command line, never for an entry of a directory</param>
    /// <exception cref="IOException">It is not a regular file, is larger than <paramref name="maxBytes"/>, or cannot be read.</exception>
    public static byte[]? TryRead(string path, long maxBytes, int prefix = int.MaxValue, bool followSymlink = false)
    {
        using var fd = Posix.TryOpenRegular(path, out Stat st, out string? notRegular, followSymlink);
        if (fd is null)
        {
            return notRegular is null ? null : throw Refused(path, notRegular);
        }
        // Never more than one array holds, whatever Registry:MaxBytes says.
        long limit = Math.Min(maxBytes, Array.MaxLength - 1);
        if (st.st_size > limit)
        {
            throw TooLarge(path, limit);
        }
        int bound = (int)Math.Min(limit, prefix);
        byte[]? exact = TryReadExact(fd, st.st_size, bound, path, out bool more);
        if (exact is null)
        {
            // The file changed size while it was read: read it again the careful way (pread kept the offset at 0).
            exact = Posix.ReadBounded(fd, bound, st.st_size, path, out more);
        }
        return more && prefix >= limit ? throw TooLarge(path, limit) : exact;
    }

    /// <summary>
    /// The file's first min(size, bound) bytes in one array of exactly that length, not zeroed first and never
    /// copied (a build reads ten thousand documents of ~100 KB back; two fresh large arrays each were a
    /// large part of it), and whether more lies past them; null when the file is not the size fstat said.
    /// </summary>
    private static byte[]? TryReadExact(Microsoft.Win32.SafeHandles.SafeFileHandle fd, long size, int bound, string path, out bool more)
    {
        more = false;
        var bytes = GC.AllocateUninitializedArray<byte>((int)Math.Min(size, bound));
        int total = 0;
        try
        {
            while (total < bytes.Length && RandomAccess.Read(fd, bytes.AsSpan(total), total) is > 0 and var n)
            {
                total += n;
            }
            Span<byte> probe = stackalloc byte[1];
            more = RandomAccess.Read(fd, probe, total) > 0;
        }
        catch (IOException e)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
        // Shorter than fstat said, or longer while still under the bound: it is being written; read it the slow way.
        return total < bytes.Length || (more && bytes.Length < bound) ? null : bytes;
    }

    /// <exception cref="IOException">There is no such file, or <see cref="TryRead"/> refuses it.</exception>
    public static byte[] Read(string path, long maxBytes, bool followSymlink = false) =>
        TryRead(path, maxBytes, followSymlink: followSymlink) ?? throw new PosixException(Errno.ENOENT, "open", path);

    private static IOException TooLarge(string path, long limit) =>
        new($"{path}: larger than {limit} bytes, more than any document or signature a build writes or a host fetches; refused unread");

    private static IOException Refused(string path, string what) =>
        new($"{path}: {what}, not a regular file: a document or signature is read only from a regular file (a symlink in a directory of documents can lead out of it, a FIFO blocks, a device never ends); replace it with the file, or remove it");
}
