using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Signing;
using KeyAgentd.Storage;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    private RegistrySnapshot? _krlSnapshot;
    private byte[]? _krlBytes;

    /// <summary>
    /// Stage 6b: the snapshot's revocations as the KRL sshd reads (Sshd:RevokedKeysFile), so a revoked key
    /// fails in every file and every other AuthorizedKeysCommand too. Written atomically, and only when the
    /// revocations change; report mode writes nothing. A failure here is logged and leaves the old list in force.
    /// </summary>
    private void WriteRevokedKeys(RegistrySnapshot snapshot)
    {
        if (settings.Accounts.Mode == OwnershipMode.Report)
        {
            return;
        }
        if (!ReferenceEquals(snapshot, _krlSnapshot))
        {
            _krlBytes = RevokedKeysList.Build(snapshot);
            _krlSnapshot = snapshot;
        }
        string path = settings.Sshd.ResolveRevokedKeysFile(settings.State);
        try
        {
            if (File.Exists(path) && RevokedKeysList.SameRevocations(File.ReadAllBytes(path), _krlBytes))
            {
                return;
            }
            State.StateDirectory.Create(Path.GetDirectoryName(path)!);
            DurableFile.WriteAllBytes(path, _krlBytes!, Posix.Mode0644);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogKrlFailed(logger, path, e.Message);
        }
    }
}
