namespace KeyAgentd.Core.Snapshot;

/// <summary>Carries a <see cref="SnapshotError"/> out of the nested readers; never escapes the parser.</summary>
internal sealed class SnapshotFormatException(SnapshotError error) : Exception(error.Message)
{
    public SnapshotError Error { get; } = error;
}
