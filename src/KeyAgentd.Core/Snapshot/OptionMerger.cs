using System.Diagnostics.CodeAnalysis;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Combines an account's options with a key's own. sshd lets a later flag undo an earlier one and
/// refuses a line with two "from" clauses, so either would let a key quietly escape (or break)
/// the account's restriction: both are refused instead of being resolved by guesswork.
/// </summary>
internal static class OptionMerger
{
    private static readonly HashSet<string> SingleValued = new(StringComparer.Ordinal) { "command", "principals", "from", "tunnel" };

    public static bool TryMerge(KeyOptions accountOptions, KeyOptions keyOptions, [NotNullWhen(true)] out KeyOptions? merged, [NotNullWhen(false)] out string? error)
    {
        var result = new List<KeyOption>(accountOptions);
        foreach (var option in keyOptions)
        {
            if (result.Contains(option))
            {
                continue;
            }
            if (option.Value is not null && SingleValued.Contains(option.Name) && result.Any(o => o.Name == option.Name))
            {
                return Conflict($"conflicting options: \"{option.Name}\" is given twice with different values", out merged, out error);
            }
            if (option.Value is null && result.Any(o => o.Name == Opposite(option.Name)))
            {
                return Conflict($"conflicting options: \"{option.Name}\" contradicts \"{Opposite(option.Name)}\"", out merged, out error);
            }
            result.Add(option);
        }
        merged = new KeyOptions(result);
        error = null;
        return true;
    }

    private static string Opposite(string flag) => flag.StartsWith("no-", StringComparison.Ordinal) ? flag[3..] : "no-" + flag;

    private static bool Conflict(string message, out KeyOptions? merged, out string? error)
    {
        merged = null;
        error = message;
        return false;
    }
}
