using KeyAgentd.Storage;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    /// <summary>
    /// Stage 0: the state directory and keys/ as keyagentd-keys demands (root-owned, not group/world-writable),
    /// repaired if found otherwise, each repair logged and audited. A directory that cannot be repaired does not
    /// stop the cycle: the helper refuses caches under it, and authorized_keys and the KRL still get revocations.
    /// </summary>
    private void SecureStateDirectory(SyncCycle cycle)
    {
        try
        {
            foreach (var repair in _state.Secure())
            {
                LogStateDirectoryRepaired(_logger, repair.Path, repair.What);
                cycle.Records.Add(ChangeRecords.StateDirectoryRepaired(cycle, repair));
            }
        }
        catch (PosixException e)
        {
            LogStateDirectoryInsecure(_logger, _state.Directory, e.Message);
        }
    }
}
