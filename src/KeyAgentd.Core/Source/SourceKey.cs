using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Source;

/// <summary>
/// A key as written in the source, already normalised to one OpenSSH line (an RFC 4716 block or a
/// wrapped key becomes the line it stands for). <see cref="Key"/> is set when the line decodes;
/// <see cref="Owner"/> names who holds a key given straight to an account.
/// </summary>
public sealed record SourceKey(string Line, string? Label, DateTimeOffset? NotAfter, SshPublicKey? Key, SourceLocation Location)
{
    public string? Owner { get; init; }

    /// <summary>Where a key not written in the tree came from (its <c>.keys</c> URL); recorded in the built documents.</summary>
    public string? Source { get; init; }
}
