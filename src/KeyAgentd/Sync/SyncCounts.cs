namespace KeyAgentd.Sync;

/// <summary>What one cycle did, in numbers (all zero when it stopped before applying anything).</summary>
/// <param name="Accounts">Managed accounts that exist locally.</param>
/// <param name="Added">Keys added to files (report mode adds none).</param>
/// <param name="Removed">Key lines removed from files.</param>
/// <param name="Written">Files written: authorized_keys, or the helper cache with helper-only delivery.</param>
/// <param name="Rejected">Registry keys refused by policy.</param>
/// <param name="Refused">Accounts refused or failed (see <see cref="SyncResult.Failures"/>).</param>
/// <param name="Missing">Selected accounts with no local account.</param>
public sealed record SyncCounts(int Accounts, int Added, int Removed, int Written, int Rejected, int Refused, int Missing)
{
    public static readonly SyncCounts None = new(0, 0, 0, 0, 0, 0, 0);
}
