using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// A line the plan takes out of a file. <see cref="RawLine"/> is the full original text (the audit
/// keeps it, so a removed key can always be put back); <see cref="Key"/> is set only when sshd
/// would have honoured the line, i.e. when removing it takes access away.
/// </summary>
public sealed record RemovedLine(string RawLine, SshPublicKey? Key, string Reason)
{
    public const string UnknownKey = "unknown key";
    public const string DuplicateKey = "duplicate key";
    public const string ForeignComment = "comment";
}
