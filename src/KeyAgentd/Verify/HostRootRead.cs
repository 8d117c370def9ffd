using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Verify;

/// <summary>
/// The trust root a host holds at the start of a cycle, before it asks for the next version.
/// </summary>
/// <param name="Root">The root verified from the state directory, or accepted from Registry:TrustRootFile; null when neither could be used.</param>
/// <param name="Installed">Set when <paramref name="Root"/> was just accepted from Registry:TrustRootFile: it is to be kept and audited.</param>
/// <param name="Problem">Why no root can be used: every snapshot is refused (the last-known-good stays), never read as "no root".</param>
/// <param name="Refused">The verdict on the installed root file when it was refused, for the audit and status.</param>
public sealed record HostRootRead(TrustRoot? Root, RootCheck? Installed, SnapshotError? Problem, RootCheck? Refused);
