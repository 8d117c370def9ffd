using System.Text.RegularExpressions;

namespace KeyAgentd.Core.Registry;

/// <summary>
/// Which account names the registry may name. Deliberately narrower than what some NSS backends
/// accept: the name ends up in paths and in sshd's %u, so no '/', no spaces, nothing starting
/// with '.' or '-' (which also excludes "." and "..").
/// </summary>
public static partial class AccountName
{
    public const int MaxLength = 32;

    public static bool IsValid(string name) => name.Length <= MaxLength && Pattern().IsMatch(name);

    [GeneratedRegex(@"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
