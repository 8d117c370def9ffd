using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Homes;

/// <summary>
/// The directories above the homes, opened and fstat'ed once per planning stage instead of once per
/// account: 10,000 homes under /home share "/" and "/home", and walking them again for every account
/// was most of a no-change cycle. Each entry is a descriptor <see cref="HomeWalker"/> opened with
/// O_NOFOLLOW from its parent's descriptor, exactly as it walks, with that descriptor's fstat; the walk
/// still judges it for each account (<see cref="StrictModes.Ancestor"/>), so only the system calls are
/// shared, and what is judged is the directory the descriptor holds whatever its path names later.
/// For reading only: writes walk afresh. Disposed when the stage that made it ends.
/// </summary>
public sealed class HomeAncestors : IDisposable
{
    private readonly ConcurrentDictionary<string, Opened> _opened = new(StringComparer.Ordinal);

    internal sealed record Opened(SafeFileHandle Handle, Stat Stat);

    internal bool TryGet(string path, out Opened opened) => _opened.TryGetValue(path, out opened!);

    internal IReadOnlyCollection<string> Paths => [.. _opened.Keys];

    /// <summary>Keeps a directory the walk opened; when another thread kept the same path first, disposes this one and returns that.</summary>
    internal Opened Keep(string path, SafeFileHandle handle, Stat stat)
    {
        var opened = new Opened(handle, stat);
        var kept = _opened.GetOrAdd(path, opened);
        if (!ReferenceEquals(kept, opened))
        {
            handle.Dispose();
        }
        return kept;
    }

    public void Dispose()
    {
        foreach (var opened in _opened.Values)
        {
            opened.Handle.Dispose();
        }
        _opened.Clear();
    }
}
