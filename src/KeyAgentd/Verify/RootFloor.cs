using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Verify;

/// <summary>
/// The trust root floor: the highest root version this host ever accepted, from every place that records it.
/// A host that can only prove a lower version (its trust state and kept roots lost, the next version not served)
/// must not fall back to it: the lower root may still name a snapshot signer the higher one dropped because it
/// leaked. Pure: the places are read at the edges.
/// </summary>
public static class RootFloor
{
    /// <summary>The highest of the recorded versions; null when none records one.</summary>
    public static long? Highest(params long?[] recorded)
    {
        long? highest = null;
        foreach (long? version in recorded)
        {
            if (version is { } v && (highest is null || v > highest))
            {
                highest = v;
            }
        }
        return highest;
    }

    /// <summary>Why no snapshot is trusted with <paramref name="reached"/> as the newest root; null when it reaches the floor.</summary>
    /// <param name="stateDirectory">Named in the fix.</param>
    public static SnapshotError? Check(long? floor, long reached, string stateDirectory)
    {
        if (floor is not { } f || reached >= f)
        {
            return null;
        }
        return new SnapshotError(RootReason.StateLost.ToCode(),
            $"this host accepted trust root version {f} before (trust state, audit log or status), but the newest it can prove now is version {reached} "
            + $"(its trust state or kept roots were lost, and root/{reached + 1}.json is not served): version {reached} may still name a signer a later "
            + "version dropped, so no snapshot is trusted (the last-known-good stays, no keys change). "
            + $"Fix: restore {stateDirectory}/root/ and {State.TrustStateStore.FileName} from a backup, or `keyagentd trust init URL/root/{f}.json --root-fingerprint SHA256:…`; "
            + "once the registry serves the chain up to that version again this clears by itself; to accept the lower root on purpose, `keyagentd trust reset-root` (audited)");
    }
}
