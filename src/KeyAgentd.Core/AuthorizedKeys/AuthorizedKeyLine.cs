using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// One line of an authorized_keys file as sshd reads it. Unparsable lines are kept as
/// <see cref="AuthorizedKeyLineKind.Invalid"/> with their reason, never dropped: the raw text is
/// what the audit log preserves and what managed-block mode writes back untouched.
/// </summary>
public sealed class AuthorizedKeyLine
{
    internal AuthorizedKeyLine(int lineNumber, string raw, AuthorizedKeyLineKind kind)
    {
        LineNumber = lineNumber;
        Raw = raw;
        Kind = kind;
    }

    /// <summary>1-based line number in its file (0 when the line did not come from a file).</summary>
    public int LineNumber { get; }

    /// <summary>The line exactly as read, without its line terminator (LF or CRLF).</summary>
    public string Raw { get; }

    public AuthorizedKeyLineKind Kind { get; }

    public KeyOptions Options { get; internal init; } = KeyOptions.Empty;

    /// <summary>The key type token as written (set whenever the parser got that far).</summary>
    public string? KeyType { get; internal init; }

    public SshPublicKey? Key { get; internal init; }

    /// <summary>Everything after the key blob, byte-exact (null when there is none).</summary>
    public string? Comment { get; internal init; }

    public ReasonCode? Error { get; internal init; }

    public string? ErrorMessage { get; internal init; }

    /// <summary>A corrected one-line form, when the input was recognisably a key in another shape.</summary>
    public string? Suggestion { get; internal init; }

    /// <summary>How many physical lines this entry spans (more than one for RFC 4716 blocks and wrapped keys).</summary>
    public int PhysicalLines { get; internal init; } = 1;

    public bool IsKey => Kind == AuthorizedKeyLineKind.Key;

    /// <summary>Canonical form: options rendered by our grammar, the key, the comment.</summary>
    public string Render() => Render(Options, Key ?? throw new InvalidOperationException("not a key line"), Comment);

    public static string Render(KeyOptions options, SshPublicKey key, string? comment)
    {
        string keyText = key.TypeName + " " + key.Base64;
        string head = options.Count == 0 ? keyText : options.Render() + " " + keyText;
        return string.IsNullOrEmpty(comment) ? head : head + " " + comment;
    }

    public override string ToString() => Raw;
}
