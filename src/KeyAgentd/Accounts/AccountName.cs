namespace KeyAgentd.Accounts;

/// <summary>
/// The account names KeyAgentd will handle: <c>^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$</c>. Checked before a name
/// reaches a path, a lookup or a log line, so "..", "/", a leading "-" or control characters never do.
/// </summary>
public static class AccountName
{
    public const int MaxLength = 32;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name is "." or "..")
        {
            return false;
        }
        if (!IsWordChar(name[0]))
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
