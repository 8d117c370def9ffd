using KeyAgentd.Core;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Accounts;

/// <summary>
/// Decides which accounts a cycle manages: (snapshot accounts ∪ local accounts matching an include glob
/// ∪ accounts managed before) − accounts matching an exclude glob. Accounts managed before stay in, so an
/// account dropped from the registry still loses its keys.
/// </summary>
public static class AccountSelector
{
    /// <returns>
    /// <c>Managed</c>: the local accounts to manage, sorted by name. <c>Missing</c>: selected names with no local
    /// account, sorted; names that are not valid account names are listed here too and never looked up.
    /// </returns>
    public static (IReadOnlyList<AccountInfo> Managed, IReadOnlyList<string> Missing) Select(
        IEnumerable<string> snapshotAccounts,
        IReadOnlyCollection<string> include,
        IReadOnlyCollection<string> exclude,
        IEnumerable<string> previouslyManaged,
        IAccountDatabase database)
    {
        ArgumentNullException.ThrowIfNull(snapshotAccounts);
        ArgumentNullException.ThrowIfNull(include);
        ArgumentNullException.ThrowIfNull(exclude);
        ArgumentNullException.ThrowIfNull(previouslyManaged);
        ArgumentNullException.ThrowIfNull(database);

        var known = new Dictionary<string, AccountInfo>(StringComparer.Ordinal);
        var names = new SortedSet<string>(snapshotAccounts, StringComparer.Ordinal);
        names.UnionWith(previouslyManaged);
        if (include.Count > 0)
        {
            foreach (var account in database.All())
            {
                if (include.Any(glob => Glob.IsMatch(glob, account.Name)))
                {
                    names.Add(account.Name);
                    known[account.Name] = account;
                }
            }
        }

        var managed = new List<AccountInfo>();
        var missing = new List<string>();
        foreach (string name in names)
        {
            if (exclude.Any(glob => Glob.IsMatch(glob, name)))
            {
                continue;
            }
            var account = AccountName.IsValid(name) ? known.GetValueOrDefault(name) ?? database.Find(name) : null;
            if (account is null)
            {
                missing.Add(name);
            }
            else
            {
                managed.Add(account);
            }
        }
        return (managed, missing);
    }
}
