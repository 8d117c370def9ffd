using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// File delivery switched off (`Delivery:AuthorizedKeysFiles` false): what becomes of the authorized_keys
/// keyagentd wrote. sshd reads every file AuthorizedKeysFile names as well as running the
/// AuthorizedKeysCommand, and a key found in either lets the user in, so a line keyagentd left behind
/// would keep granting access after the registry withdrew it, with nothing maintaining it any more.
/// Only what carries keyagentd's mark goes (the exclusive header, the block's markers): a file without
/// either was never written by keyagentd and is left alone. Exclusive mode: the whole file was
/// keyagentd's, so it is written empty. An empty authorized_keys grants nothing, exactly like a missing
/// one, and goes through the one secure writer as an atomic replace (removing it would be a second way
/// of changing a home). Managed-block mode: the block goes, the user's own lines stay byte for byte.
/// Report mode: nothing is written, as promised; a note says so.
/// </summary>
internal static class FileRetirement
{
    /// <param name="plan">The helper cache's plan, which this only adds to.</param>
    /// <param name="current">authorized_keys as read now.</param>
    /// <param name="mode">`Accounts:Mode` as configured (the cache's plan has it as exclusive).</param>
    /// <param name="lastWritten">The keys of the cache as keyagentd last wrote them, which tell its lines from the user's.</param>
    public static AccountPlan Apply(AccountPlan plan, string current, OwnershipMode mode, string? lastWritten)
    {
        if (mode == OwnershipMode.Report)
        {
            return plan with { Notes = [.. plan.Notes, "file delivery is off, but report mode writes nothing: authorized_keys keeps whatever keyagentd wrote there"] };
        }
        // What keyagentd wrote carries its mark: the exclusive header, or the block's markers. A file with
        // neither is the user's (written before keyagentd managed it, or in report mode) and stays as it is.
        var block = ManagedBlock.Find(current);
        string ours;
        string remaining;
        if (ExclusiveAdoption.Applies(current, block))
        {
            (ours, remaining) = mode == OwnershipMode.Exclusive ? (current, "") : Split(current, lastWritten);
        }
        else if (block.Problem is not null)
        {
            return plan with { Notes = [.. plan.Notes, $"file delivery is off, but authorized_keys is left as it is: {block.Problem}"] };
        }
        else if (!block.Found)
        {
            return plan with { FileRetired = true };
        }
        else
        {
            (ours, remaining) = (current[block.ContentStart..block.ContentEnd], current[..block.Start] + current[block.End..]);
        }
        var retired = AuthorizedKeyLineParser.ParseAll(ours)
            .Where(l => l.Kind != AuthorizedKeyLineKind.Blank && !AuthorizedKeysRenderer.IsOwnMarker(l.Raw))
            .Select(l => new RemovedLine(l.Raw, l.Kind == AuthorizedKeyLineKind.Key ? l.Key : null, RemovalReason.DeliveryOff))
            .ToList();
        string? file = remaining == current ? null : remaining;
        return plan with { FileText = file, Retired = retired, FileRetired = true, Changed = plan.Changed || file is not null };
    }

    /// <summary>An exclusive file kept in managed-block mode: the user's lines added since are theirs (see <see cref="ExclusiveAdoption"/>).</summary>
    private static (string Ours, string Theirs) Split(string current, string? lastWritten)
    {
        var (ours, theirs, _) = ExclusiveAdoption.Split(current, lastWritten);
        return (ours, theirs);
    }
}
