using System.Diagnostics.CodeAnalysis;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Which account names the registry may name: <c>[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}</c>. Deliberately
/// narrower than what some NSS backends accept: the name ends up in paths and in sshd's %u, so no
/// '/', no spaces, nothing starting with '.' or '-' (which also excludes "." and ".."). A loop, not a
/// regex: keyagentd-keys checks a name on every login, and loading the regex engine costs more than
/// the rest of its work. The one check for the whole product: a name from passwd, a state file or
/// the login helper's argument passes here before it reaches a path, a lookup or a log line.
/// </summary>
public static class AccountName
{
    private const int MaxLength = 32;

    public static bool IsValid([NotNullWhen(true)] string? name)
    {
        if (name is null || name.Length is 0 or > MaxLength || !IsWordChar(name[0]))
        {
            return false;
        }
        foreach (char c in name.AsSpan(1))
        {
            if (!IsWordChar(c) && c is not ('.' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
