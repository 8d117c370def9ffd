using System.Buffers;
using System.Runtime.InteropServices;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// A cache file mapped read-only into memory. Reading a file of thousands of keys into a fresh
/// heap buffer cost a zero-filled page fault for every 4 KiB of it, more than all the parsing;
/// the mapping shares the page cache's pages, which the kernel maps several at a time.
/// The daemon replaces a cache by rename and never rewrites one in place, so the mapped file
/// cannot shrink under the reader.
/// </summary>
internal sealed unsafe class MappedBytes : MemoryManager<byte>
{
    private const int PROT_READ = 1;
    private const int MAP_PRIVATE = 2;

    private byte* _address;
    private readonly int _length;

    private MappedBytes(byte* address, int length)
    {
        _address = address;
        _length = length;
    }

    /// <summary>The first <paramref name="length"/> bytes of <paramref name="fd"/> (at least one), or null with errno set.</summary>
    public static MappedBytes? TryMap(int fd, int length)
    {
        nint address = Mmap(0, (nuint)length, PROT_READ, MAP_PRIVATE, fd, 0);
        return address == -1 ? null : new MappedBytes((byte*)address, length);
    }

    public override Span<byte> GetSpan() => _address is null ? throw new ObjectDisposedException(nameof(MappedBytes)) : new Span<byte>(_address, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_address + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_address is not null)
        {
            _ = Munmap((nint)_address, (nuint)_length);
            _address = null;
        }
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "mmap")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [DllImport("libc", SetLastError = true, EntryPoint = "munmap")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Munmap(nint address, nuint length);
}
