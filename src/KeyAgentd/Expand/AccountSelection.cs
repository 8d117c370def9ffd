using KeyAgentd.Accounts;

namespace KeyAgentd.Expand;

/// <param name="Managed">Local accounts this cycle manages, by name.</param>
/// <param name="Missing">Selected names with no local account.</param>
/// <param name="ManagedBefore">The managed set as the previous cycle left it.</param>
/// <param name="FilesBefore">
/// The accounts whose authorized_keys may hold what keyagentd wrote (file-accounts.json); before that
/// record existed, every managed account, as file delivery was the only delivery that wrote homes.
/// </param>
internal sealed record AccountSelection(IReadOnlyList<AccountInfo> Managed, IReadOnlyList<string> Missing, IReadOnlySet<string> ManagedBefore, IReadOnlySet<string> FilesBefore)
{
    /// <summary>file-accounts.json was damaged: <see cref="FilesBefore"/> is every managed account, and the record is rewritten.</summary>
    public bool FilesBeforeDamaged { get; init; }

    public IReadOnlyDictionary<string, AccountInfo> ByName { get; } = Managed.ToDictionary(a => a.Name, StringComparer.Ordinal);
}
