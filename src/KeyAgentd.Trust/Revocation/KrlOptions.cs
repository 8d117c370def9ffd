namespace KeyAgentd.Trust.Revocation;

/// <summary>The KRL header fields; all caller-chosen so the same revocations always give the same bytes.</summary>
public sealed record KrlOptions
{
    /// <summary>krl_version: grows with every change (the registry serial is a natural choice).</summary>
    public ulong Version { get; init; }

    /// <summary>generated_date, written as seconds since the epoch.</summary>
    public DateTimeOffset GeneratedAt { get; init; } = DateTimeOffset.UnixEpoch;

    public string Comment { get; init; } = "";
}
