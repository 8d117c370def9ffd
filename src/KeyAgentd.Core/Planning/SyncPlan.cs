using System.Globalization;
using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// One cycle's plan for every account, the guard's verdict on it and the registry entries that
/// were refused: everything `sync --dry-run` shows and `sync` acts on.
/// </summary>
public sealed record SyncPlan(IReadOnlyList<AccountPlan> Accounts, RemovalGuardResult Guard, IReadOnlyList<KeyRejection> Rejections)
{
    public static SyncPlan Create(IReadOnlyList<AccountPlan> accounts, IReadOnlyList<KeyRejection> rejections, RemovalLimits limits,
        long serial = 0, RemovalApproval? approval = null) =>
        new(accounts, RemovalGuard.Evaluate(accounts, limits, serial, approval), rejections);

    /// <summary>True when at least one file (authorized_keys or helper cache) would be written.</summary>
    public bool HasWrites => Accounts.Any(a => a.FileText is not null || a.CacheText is not null);

    /// <summary>Keys added and removed by the plans that write (report mode only reports).</summary>
    public int Added => Accounts.Where(a => a.Mode != OwnershipMode.Report).Sum(a => a.Added.Count);

    public int Removed => Accounts.Where(a => a.Mode != OwnershipMode.Report).Sum(a => a.Removed.Count(r => r.Key is not null));

    /// <summary>
    /// A per-account diff for people: counts, then one line per added or removed key. Every value
    /// that came from the registry or a file is escaped, so the output cannot be forged by them.
    /// </summary>
    public string RenderDiff()
    {
        var text = new StringBuilder();
        foreach (var plan in Accounts.OrderBy(a => a.Account, StringComparer.Ordinal))
        {
            AppendAccount(text, plan);
        }
        foreach (var rejection in Rejections)
        {
            text.Append("rejected: ").Append(rejection).Append('\n');
        }
        if (Guard.Tripped || Guard.ApprovedBy is not null)
        {
            text.Append("removal guard: ").Append(Guard.Describe()).Append('\n');
        }
        return text.ToString();
    }

    private static void AppendAccount(StringBuilder text, AccountPlan plan)
    {
        string account = SafeText.Escape(plan.Account, 64);
        string mode = plan.Mode == OwnershipMode.Exclusive ? "" : $" ({plan.Mode.ToName()})";
        if (plan.Error is not null)
        {
            text.Append(account).Append(mode).Append(": refused: ").Append(plan.Error).Append('\n');
            AppendNotes(text, plan);
            return;
        }
        text.Append(CultureInfo.InvariantCulture, $"{account}{mode}: +{plan.Added.Count} -{plan.Removed.Count} ={plan.Kept.Count}");
        if (plan.Retired.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" (file delivery off: {plan.Retired.Count} line(s) out of authorized_keys)");
        }
        if (plan.Mode == OwnershipMode.Report && plan.Changed)
        {
            text.Append(" (drift, nothing written)");
        }
        else if (plan.Changed && plan.Added.Count == 0 && plan.Removed.Count == 0 && plan.OptionsChanged.Count == 0 && plan.Retired.Count == 0)
        {
            // Same keys, different bytes: options, comments or order changed.
            text.Append(" (rewritten)");
        }
        text.Append('\n');
        foreach (var key in plan.Added)
        {
            AppendKey(text, "+ ", key).Append('\n');
        }
        foreach (var key in plan.OptionsChanged)
        {
            AppendKey(text, "~ ", key).Append(": options now ").Append(key.Options.Count == 0 ? "(none)" : SafeText.Escape(key.Options.Render(), 200)).Append('\n');
        }
        foreach (var line in plan.Removed.Concat(plan.Retired))
        {
            AppendRemoved(text, line);
        }
        AppendNotes(text, plan);
    }

    private static StringBuilder AppendKey(StringBuilder text, string marker, DesiredKey key)
    {
        text.Append(marker).Append(key.Key.TypeName).Append(' ').Append(key.Fingerprint).Append(' ').Append(SafeText.Escape(key.Owner, 128));
        if (key.Label is not null)
        {
            text.Append(" (").Append(SafeText.Escape(key.Label, 64)).Append(')');
        }
        return text;
    }

    private static void AppendRemoved(StringBuilder text, RemovedLine line)
    {
        if (line.Key is null)
        {
            string detail = line.Detail is null ? "" : ": " + SafeText.Escape(line.Detail, 200);
            text.Append("- ").Append(line.Reason.ToCode()).Append(detail).Append(" '").Append(SafeText.Escape(line.RawLine, 120)).Append("'\n");
            return;
        }
        text.Append("- ").Append(line.Key.TypeName).Append(' ').Append(line.Key.Sha256Fingerprint).Append(' ').Append(line.Reason.ToCode());
        if (AuthorizedKeyLineParser.Parse(line.RawLine).Comment is { Length: > 0 } comment)
        {
            text.Append(" '").Append(SafeText.Escape(comment, 120)).Append('\'');
        }
        text.Append('\n');
    }

    private static void AppendNotes(StringBuilder text, AccountPlan plan)
    {
        foreach (string note in plan.Notes)
        {
            text.Append("  note: ").Append(SafeText.Escape(note, 300)).Append('\n');
        }
    }
}
