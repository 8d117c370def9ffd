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
    private readonly ConcurrentDictionary<string, IReadOnlyList<(string Path, Opened Directory)>> _chains = new(StringComparer.Ordinal);

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

    /// <summary>The kept directories from "/" down to <paramref name="parent"/> (a directory holding homes), if a walk of this stage kept them all.</summary>
    internal IReadOnlyList<(string Path, Opened Directory)>? ChainTo(string parent) => _chains.GetValueOrDefault(parent);

    /// <summary>Keeps the chain down to a directory holding homes, so each home under it costs no path strings of its own; an empty one (not walkable) is not kept.</summary>
    internal IReadOnlyList<(string Path, Opened Directory)> KeepChain(string parent, IReadOnlyList<(string Path, Opened Directory)> chain) =>
        chain.Count == 0 ? chain : _chains.GetOrAdd(parent, chain);

    public void Dispose()
    {
        foreach (var opened in _opened.Values)
        {
            opened.Handle.Dispose();
        }
        _opened.Clear();
        _chains.Clear();
    }
}
