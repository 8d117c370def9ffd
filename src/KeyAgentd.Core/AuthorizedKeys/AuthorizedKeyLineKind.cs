namespace KeyAgentd.Core.AuthorizedKeys;

public enum AuthorizedKeyLineKind
{
    /// <summary>Empty or only whitespace.</summary>
    Blank,

    /// <summary>First non-blank character is '#'.</summary>
    Comment,

    /// <summary>A key that decoded and validated (policy not yet applied).</summary>
    Key,

    /// <summary>sshd would skip this line; <see cref="AuthorizedKeyLine.Error"/> says why.</summary>
    Invalid,
}
