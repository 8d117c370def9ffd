using KeyAgentd.Core.Snapshot;
using Mono.Unix.Native;

namespace KeyAgentd.Accounts;

/// <summary>
/// Accounts as the system sees them (getpwnam/getpwent through NSS: files, LDAP, sssd…), which is what
/// sshd uses to find a user's home.
/// </summary>
public sealed class NssAccountDatabase : IAccountDatabase
{
    // The pwent cursor is process-global state, and getpwnam's result buffer is static in libc.
    private static readonly Lock Gate = new();

    /// <remarks>
    /// A lookup that NSS answers under another name (a case-insensitive directory mapping "Alice" to
    /// "alice") is treated as not found: the registry names exactly one account.
    /// </remarks>
    public AccountInfo? Find(string name)
    {
        if (!AccountName.IsValid(name))
        {
            return null;
        }
        lock (Gate)
        {
            var entry = Syscall.getpwnam(name);
            return entry is not null && entry.pw_name == name ? ToAccount(entry) : null;
        }
    }

    public IEnumerable<AccountInfo> All()
    {
        var accounts = new List<AccountInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        lock (Gate)
        {
            Syscall.setpwent();
            try
            {
                Passwd? entry;
                while ((entry = Syscall.getpwent()) is not null)
                {
                    // Several NSS sources can list the same name; the first one wins, as for getpwnam.
                    if (AccountName.IsValid(entry.pw_name) && seen.Add(entry.pw_name))
                    {
                        accounts.Add(ToAccount(entry));
                    }
                }
            }
            finally
            {
                Syscall.endpwent();
            }
        }
        return accounts;
    }

    private static AccountInfo ToAccount(Passwd entry) =>
        new(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir ?? "", entry.pw_shell ?? "");
}
