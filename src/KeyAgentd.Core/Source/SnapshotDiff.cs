using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// What publishing a new document would do to one host: each document goes through the daemon's
/// expander (the same policy, the same time), the old keys stand in for the host's current files,
/// and the daemon's own planner and <see cref="RemovalGuard"/> decide whether the host would refuse it.
/// A key kept with other options (the line a host writes differs before the key) is a change too.
/// Certificates revoked or no longer revoked (by serial or key ID under a CA) are listed apart: no key
/// of the document changes, but sshd's KRL does.
/// </summary>
public sealed record SnapshotDiff(IReadOnlyList<AccessChange> Changes, RemovalGuardResult Guard)
{
    public IReadOnlyList<CertificateRevocationChange> CertificateRevocations { get; init; } = [];

    public static SnapshotDiff Compare(RegistrySnapshot? before, RegistrySnapshot? after, KeyPolicy policy, DateTimeOffset now, RemovalLimits limits)
    {
        var oldState = before is null ? new DesiredState(new Dictionary<string, IReadOnlyList<DesiredKey>>(), []) : SnapshotExpander.Expand(before, policy, now);
        var newState = after is null ? new DesiredState(new Dictionary<string, IReadOnlyList<DesiredKey>>(), []) : SnapshotExpander.Expand(after, policy, now);
        var withdrawals = Withdrawals.From(after is null ? Revocations.None : Revocations.From(after), newState.Rejections);
        var changes = new List<AccessChange>();
        var plans = new List<AccountPlan>();
        foreach (string account in oldState.Accounts.Keys.Union(newState.Accounts.Keys).Order(StringComparer.Ordinal))
        {
            var oldKeys = oldState.Accounts.GetValueOrDefault(account) ?? [];
            var newKeys = newState.Accounts.GetValueOrDefault(account) ?? [];
            var oldSet = oldKeys.Select(k => k.Key).ToHashSet();
            var newSet = newKeys.Select(k => k.Key).ToHashSet();
            foreach (var key in newKeys.Where(k => !oldSet.Contains(k.Key)))
            {
                changes.Add(Change(account, AccessChangeKind.Gained, key) with { PrincipalsGained = Principals(key) });
            }
            foreach (var key in oldKeys.Where(k => !newSet.Contains(k.Key)))
            {
                var kind = withdrawals.ReasonFor(account, key.Key) == RemovalReason.NotGranted ? AccessChangeKind.Lost : AccessChangeKind.Withdrawn;
                changes.Add(Change(account, kind, key) with { PrincipalsLost = Principals(key) });
            }
            // A key on both sides: what the host writes in front of it is its restriction.
            var oldByKey = oldKeys.GroupBy(k => k.Key).ToDictionary(g => g.Key, g => g.First());
            foreach (var key in newKeys.Where(k => oldSet.Contains(k.Key)).DistinctBy(k => k.Key))
            {
                string was = oldByKey[key.Key].Options.Render();
                string written = key.Options.Render();
                if (was != written)
                {
                    var admitted = Principals(oldByKey[key.Key]);
                    var admits = Principals(key);
                    changes.Add(Change(account, AccessChangeKind.RestrictionChanged, key) with
                    {
                        OptionsBefore = was,
                        OptionsAfter = written,
                        PrincipalsGained = admits.Except(admitted, StringComparer.Ordinal).ToList(),
                        PrincipalsLost = admitted.Except(admits, StringComparer.Ordinal).ToList(),
                    });
                }
            }
            string current = AuthorizedKeysRenderer.RenderExclusive(oldKeys, []);
            plans.Add(Planner.Plan(new PlanInput(account, newKeys, OwnershipMode.Exclusive)
            {
                CurrentFile = current,
                CurrentCache = current,
                Withdrawn = withdrawals,
            }));
        }
        var guard = RemovalGuard.Evaluate(plans, limits, after?.Serial ?? 0, after?.RemovalApproval);
        return new SnapshotDiff(changes, guard) { CertificateRevocations = CertificateRevocationChange.Between(before, after) };
    }

    /// <summary>The principals a CA line admits (its principals="…"), none for a key.</summary>
    private static string[] Principals(DesiredKey key) =>
        key.Options.Contains("cert-authority") && key.Options.ValueOf("principals") is { } list ? list.Split(',') : [];

    private static AccessChange Change(string account, AccessChangeKind kind, DesiredKey key) =>
        new(account, kind, key.Owner, key.Label, key.Fingerprint, key.Key.TypeName);
}
