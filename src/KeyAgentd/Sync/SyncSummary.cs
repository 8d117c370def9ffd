using System.Globalization;
using System.Text;
using KeyAgentd.Core;

namespace KeyAgentd.Sync;

/// <summary>The one rendering of a <see cref="SyncResult"/> for people: the log line, STATUS=, status.json's message and the CLI.</summary>
public static class SyncSummary
{
    public static string Render(SyncResult result)
    {
        if (result.Outcome == SyncOutcome.GuardTripped && result.Plan is { } plan)
        {
            return plan.Guard.Describe();
        }
        if (result.Serial is null)
        {
            string why = result.RegistryProblem is { } p ? $" ({p.Code}: {SafeText.Escape(p.Message, 300)})" : "";
            return $"registry unusable and no last-known-good snapshot: nothing changed{why}";
        }
        var c = result.Counts;
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"serial {result.Serial}: {c.Accounts} account(s), +{c.Added} -{c.Removed} key(s), {c.Written} file(s) written, {c.Rejected} rejected, {c.Refused} refused, {c.Missing} missing"));
        if (result.RegistryProblem is { } problem)
        {
            text.Append($"; registry unusable ({problem.Code}: {SafeText.Escape(problem.Message, 300)}), kept last-known-good");
        }
        if (result.Stale)
        {
            text.Append("; STALE snapshot (past expires_at)");
        }
        return text.ToString();
    }

    /// <summary>`sync --dry-run`: the per-account diff, then the accounts that would be refused or are missing.</summary>
    public static string RenderDryRun(SyncResult result)
    {
        var text = new StringBuilder(result.Plan?.RenderDiff() ?? Render(result) + "\n");
        foreach (var failure in result.Failures)
        {
            text.Append($"refused {SafeText.Escape(failure.Account, 64)}: {failure.Code}: {SafeText.Escape(failure.Message, 300)}\n");
        }
        foreach (string missing in result.Missing)
        {
            text.Append($"missing {SafeText.Escape(missing, 64)}: no such local account\n");
        }
        return text.ToString();
    }
}
