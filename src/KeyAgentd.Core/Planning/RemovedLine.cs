using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// A line the plan takes out of a file. <see cref="RawLine"/> is the full original text (the audit
/// keeps it, so a removed key can always be put back); <see cref="Key"/> is set whenever the line
/// holds a key sshd would have honoured; <see cref="Detail"/> says more for an invalid line.
/// </summary>
public sealed record RemovedLine(string RawLine, SshPublicKey? Key, RemovalReason Reason, string? Detail = null);
