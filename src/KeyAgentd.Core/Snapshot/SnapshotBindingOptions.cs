namespace KeyAgentd.Core.Snapshot;

/// <param name="HostName">Host:Name, matched against the snapshot's audience.</param>
/// <param name="MaxValidity">Registry:MaxValidity: the longest expires_at - issued_at accepted.</param>
/// <param name="ClockSkew">Registry:ClockSkew: how far in the future issued_at may be.</param>
public sealed record SnapshotBindingOptions(string HostName, TimeSpan MaxValidity, TimeSpan ClockSkew);
