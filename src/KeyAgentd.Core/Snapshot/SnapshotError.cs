namespace KeyAgentd.Core.Snapshot;

/// <summary>Why a whole snapshot was refused. <see cref="Code"/> is stable (logs, status, metrics); the message is for people.</summary>
public sealed record SnapshotError(string Code, string Message)
{
    public const string InvalidJson = "invalid-json";
    public const string WrongSchema = "wrong-schema";
    public const string InvalidField = "invalid-field";
    public const string MissingField = "missing-field";
    public const string Rollback = "rollback";
    public const string Expired = "expired";
    public const string Equivocation = "equivocation";
    public const string AudienceMismatch = "audience-mismatch";
    public const string ValidityTooLong = "validity-too-long";
    public const string IssuedInFuture = "issued-in-future";

    public override string ToString() => $"{Code}: {Message}";
}
