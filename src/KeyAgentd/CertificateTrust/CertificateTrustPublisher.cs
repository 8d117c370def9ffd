using System.Text;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Storage;
using Microsoft.Extensions.Logging;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.CertificateTrust;

/// <summary>
/// The optional files for sshd's TrustedUserCAKeys (Sshd:TrustedUserCAKeysFile) and AuthorizedPrincipalsFile
/// (Sshd:AuthorizedPrincipalsDirectory, one file per account, named after it), both off by default. They
/// live outside the homes, in root's directories, so they go through <see cref="DurableFile"/> as the KRL
/// does: a crash leaves the old file or the new one. A file is rewritten only when its bytes change; a
/// failure is logged and leaves the old file in force. Report mode writes nothing.
/// </summary>
internal sealed class CertificateTrustPublisher(KeyAgentdSettings settings, ILogger logger)
{
    /// <summary>
    /// Stage 5, guard or not: a revoked CA leaves TrustedUserCAKeys now, as the KRL takes it now. The rest
    /// of the file follows the homes, after the guard (<see cref="Publish"/>).
    /// </summary>
    public void WithdrawRevoked(RegistrySnapshot snapshot)
    {
        if (settings.Accounts.Mode == OwnershipMode.Report || settings.Sshd.TrustedUserCAKeysFile is not { } path || snapshot.Revoked.Count == 0 ||
            !File.Exists(path))
        {
            return;
        }
        string current = File.ReadAllText(path);
        string kept = CertificateTrustFiles.WithoutRevoked(current, Withdrawals.From(snapshot.Revoked, []));
        if (kept != current)
        {
            Write(path, kept);
        }
    }

    /// <summary>Stage 8, after the homes: the CA keys and each planned account's principals as its plan leaves them.</summary>
    public void Publish(IReadOnlyList<AccountPlan> plans, IReadOnlySet<string> managed, DateTimeOffset now)
    {
        if (settings.Accounts.Mode == OwnershipMode.Report)
        {
            return;
        }
        if (settings.Sshd.TrustedUserCAKeysFile is { } caFile)
        {
            WriteIfChanged(caFile, CertificateTrustFiles.TrustedCaKeys(plans));
        }
        if (settings.Sshd.AuthorizedPrincipalsDirectory is { } directory)
        {
            PublishPrincipals(directory, plans, managed, now);
        }
    }

    /// <summary>
    /// An account that admits no certificate, or is no longer managed, has no file: with
    /// AuthorizedPrincipalsFile set, sshd then refuses every certificate for it, which is what the registry says.
    /// </summary>
    private void PublishPrincipals(string directory, IReadOnlyList<AccountPlan> plans, IReadOnlySet<string> managed, DateTimeOffset now)
    {
        try
        {
            State.StateDirectory.Create(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCertificateFileFailed(logger, directory, e.Message);
            return;
        }
        foreach (var plan in plans.Where(p => p.Error is null && Core.Snapshot.AccountName.IsValid(p.Account)))
        {
            string path = Path.Combine(directory, plan.Account);
            string text = CertificateTrustFiles.Principals(plan, now, TimeZoneInfo.Local);
            if (text.Length > 0)
            {
                WriteIfChanged(path, text);
            }
            else
            {
                Remove(path);
            }
        }
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            // Only names an account could have: a temp file of a write in progress (".name.pid.tmp") is the writer's.
            if (Core.Snapshot.AccountName.IsValid(name) && !name.StartsWith('.') && !managed.Contains(name))
            {
                Remove(path);
            }
        }
    }

    private void WriteIfChanged(string path, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        try
        {
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: replaced below, which says what is wrong if it cannot be.
        }
        Write(path, text);
    }

    private void Write(string path, string text)
    {
        try
        {
            State.StateDirectory.Create(Path.GetDirectoryName(Path.GetFullPath(path))!);
            DurableFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text), Posix.Mode0644);
            LogCertificateFileWritten(logger, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCertificateFileFailed(logger, path, e.Message);
        }
    }

    private void Remove(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
                LogCertificateFileRemoved(logger, path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCertificateFileFailed(logger, path, e.Message);
        }
    }
}
