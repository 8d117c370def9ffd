namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// The registry side's acknowledgement that this snapshot removes many keys on purpose
/// (`removal_approval` in the document). It only counts for the snapshot whose serial it names, so
/// a build that copies it forward into the next serial by accident approves nothing; and only up to
/// <see cref="MaxRemovedKeys"/> keys per host, the figure the reviewer saw. Inside the signed bytes
/// once snapshots are signed, so a mirror cannot add it.
/// </summary>
public sealed record RemovalApproval(long Serial, int MaxRemovedKeys, string Reason);
