using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Storage;
using Microsoft.Extensions.Logging;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Revocation;

/// <summary>
/// The KRL sshd reads (Sshd:RevokedKeysFile), published from the snapshot in use. Holds the last snapshot's
/// KRL bytes so an unchanged snapshot is not encoded again every cycle.
/// </summary>
internal sealed class RevocationPublisher(KeyAgentdSettings settings, ILogger logger)
{
    private RegistrySnapshot? _krlSnapshot;
    private byte[]? _krlBytes;

    /// <summary>
    /// Stage 5: the snapshot's revocations as the KRL sshd reads (Sshd:RevokedKeysFile), so a revoked key
    /// fails in every file and every other AuthorizedKeysCommand too. Written atomically, and only when the
    /// revocations change; report mode writes nothing. A failure here is logged and leaves the old list in force.
    /// </summary>
    public void Publish(RegistrySnapshot snapshot)
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
        if (File.Exists(path) && RevokedKeysList.SameRevocations(File.ReadAllBytes(path), _krlBytes))
        {
            return;
        }
        WriteKrl(path, _krlBytes!);
    }

    /// <summary>
    /// A cycle without any snapshot to apply (no last-known-good, registry down or refused) still leaves a
    /// KRL where sshd looks: sshd refuses EVERY public key, hand-placed ones on unmanaged accounts included,
    /// when its RevokedKeys file is missing. Only a missing file is written, and it revokes nothing: a KRL
    /// already there (written from an earlier snapshot, or by the package) is never replaced by a weaker one.
    /// </summary>
    public void EnsureExists()
    {
        if (settings.Accounts.Mode == OwnershipMode.Report)
        {
            return;
        }
        string path = settings.Sshd.ResolveRevokedKeysFile(settings.State);
        if (Path.Exists(path))
        {
            return;
        }
        WriteKrl(path, RevokedKeysList.Empty());
        LogKrlCreatedEmpty(logger, path);
    }

    private void WriteKrl(string path, byte[] krl)
    {
        try
        {
            State.StateDirectory.Create(Path.GetDirectoryName(path)!);
            DurableFile.WriteAllBytes(path, krl, Posix.Mode0644);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogKrlFailed(logger, path, e.Message);
        }
    }
}
