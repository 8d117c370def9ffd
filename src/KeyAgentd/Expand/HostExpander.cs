using KeyAgentd.Accounts;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.State;
using Microsoft.Extensions.Logging;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Expand;

/// <summary>
/// The snapshot as it applies to this host: the keys it grants under this host's key policy (memoised while
/// the snapshot and the policy stay the same), and the local accounts they go to. Reads the account database
/// and the managed sets; decides nothing the core does not.
/// </summary>
internal sealed class HostExpander(KeyAgentdSettings settings, IAccountDatabase accounts, StateStore state, ExpansionMemo memo, TimeProvider time, ILogger logger)
{
    /// <summary>Stage 2: what the snapshot grants on this host, under this host's key policy (memoised while the snapshot and policy stay).</summary>
    public Expansion Expand(RegistrySnapshot snapshot, DateTimeOffset now)
    {
        var desired = memo.Expand(snapshot, new KeyPolicy(settings.Policy.ToPolicyOptions(), time.LocalTimeZone), now);
        return new Expansion(desired, Withdrawals.From(Revocations.From(snapshot), desired.Rejections));
    }

    /// <summary>Stage 3: the local accounts this cycle manages, those the registry names that do not exist, and the homes to clean.</summary>
    public AccountSelection SelectAccounts(DesiredState desired)
    {
        var managedBefore = new ManagedSetStore(state.Directory).Load();
        var files = new ManagedSetStore(state.Directory, ManagedSetStore.FileAccountsFileName);
        var (managed, missing) = AccountSelector.Select(desired.Accounts.Keys, settings.Accounts.Include, settings.Accounts.Exclude, managedBefore, accounts);
        var filesBefore = FilesBefore(files, managedBefore);
        return new AccountSelection(managed, missing, managedBefore, filesBefore ?? managedBefore) { FilesBeforeDamaged = filesBefore is null };
    }

    /// <summary>
    /// file-accounts.json as recorded; before it existed, every managed account. Null when it is damaged:
    /// it only ever lists homes to clean, so a damaged one must not stop the cycle (and every revocation
    /// with it); read as every managed account, the safe superset, and rewritten.
    /// </summary>
    private IReadOnlySet<string>? FilesBefore(ManagedSetStore files, IReadOnlySet<string> managedBefore)
    {
        try
        {
            return files.Exists ? files.Load() : managedBefore;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            LogFileAccountsDamaged(logger, e.Message);
            return null;
        }
    }
}
