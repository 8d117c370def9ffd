namespace KeyAgentd.Core.Planning;

/// <summary>
/// The part of a file keyagentd owns (<see cref="Ours"/>, compared with the registry) and the part it
/// keeps byte for byte (<see cref="Theirs"/>, the text around the managed block). Exclusive and
/// report mode own the whole file; managed-block mode owns the block, or, when adopting a file
/// that was exclusive until now, the lines keyagentd wrote there.
/// </summary>
internal sealed record ManagedRegion(string Ours, string Theirs, bool HadBlock, string? Note = null, string? Error = null)
{
    public static ManagedRegion Of(string current, OwnershipMode mode, string? lastWritten)
    {
        if (mode != OwnershipMode.ManagedBlock)
        {
            return new ManagedRegion(current, "", false);
        }
        var block = ManagedBlock.Find(current);
        if (block.Problem is not null)
        {
            return new ManagedRegion("", current, false, Error: block.Problem);
        }
        if (ExclusiveAdoption.Applies(current, block))
        {
            var (ours, theirs, note) = ExclusiveAdoption.Split(current, lastWritten);
            return new ManagedRegion(ours, theirs, true, note);
        }
        // A missing block holds nothing yet.
        return block.Found
            ? new ManagedRegion(current[block.ContentStart..block.ContentEnd], current, true)
            : new ManagedRegion("", current, false);
    }
}
