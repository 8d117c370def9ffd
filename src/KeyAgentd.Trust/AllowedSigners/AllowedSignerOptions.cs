using System.Text;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Trust.AllowedSigners;

/// <summary>
/// The option list of an allowed_signers line, as sshsig.c sshsigopt_parse reads it: option names
/// case-insensitive, each at most once, values quoted, valid-before after valid-after.
/// </summary>
internal readonly record struct AllowedSignerOptions(PatternList? Namespaces, DateTimeOffset? ValidAfter, DateTimeOffset? ValidBefore)
{
    public static AllowedSignerOptions Parse(string? options, TimeZoneInfo localZone)
    {
        PatternList? namespaces = null;
        DateTimeOffset? validAfter = null, validBefore = null;
        int position = 0;
        while (options is not null && position < options.Length)
        {
            if (IsFlag(options, position, "cert-authority"))
            {
                throw new FormatException("cert-authority is not supported in this version: list each signer's own key instead of a CA");
            }
            else if (IsOption(options, position, "namespaces"))
            {
                position += "namespaces=".Length;
                string value = Dequote(options, ref position);
                if (namespaces is not null)
                {
                    throw new FormatException("multiple \"namespaces\" clauses");
                }
                if (value.Length == 0)
                {
                    throw new FormatException("empty \"namespaces\"");
                }
                namespaces = new PatternList(value);
            }
            else if (IsOption(options, position, "valid-after") || IsOption(options, position, "valid-before"))
            {
                bool after = IsOption(options, position, "valid-after");
                string name = after ? "valid-after" : "valid-before";
                position += name.Length + 1;
                string value = Dequote(options, ref position);
                if ((after ? validAfter : validBefore) is not null)
                {
                    throw new FormatException($"multiple \"{name}\" clauses");
                }
                if (!ExpiryTimeFormat.TryParse(value, localZone, out var when) || when.ToUnixTimeSeconds() <= 0)
                {
                    throw new FormatException($"invalid \"{name}\" time \"{value}\" (YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z])");
                }
                if (after)
                {
                    validAfter = when;
                }
                else
                {
                    validBefore = when;
                }
            }
            else
            {
                throw new FormatException($"unknown signature option at \"{Clip(options[position..])}\"");
            }
            if (position == options.Length)
            {
                break;
            }
            if (options[position] != ',')
            {
                throw new FormatException("invalid option list (expected ',')");
            }
            position++;
            if (position == options.Length)
            {
                throw new FormatException("invalid option list (trailing ',')");
            }
        }
        if (validAfter is { } a && validBefore is { } b && b.ToUnixTimeSeconds() <= a.ToUnixTimeSeconds())
        {
            throw new FormatException("\"valid-before\" time is before \"valid-after\"");
        }
        return new AllowedSignerOptions(namespaces, validAfter, validBefore);
    }

    /// <summary>auth-options.c opt_flag: the bare name, followed by the end or a comma.</summary>
    private static bool IsFlag(string options, int position, string name) =>
        string.Compare(options, position, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0 &&
        (position + name.Length == options.Length || options[position + name.Length] == ',');

    /// <summary>auth-options.c opt_match: the name followed by '='.</summary>
    private static bool IsOption(string options, int position, string name) =>
        string.Compare(options, position, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0 &&
        position + name.Length < options.Length && options[position + name.Length] == '=';

    /// <summary>auth-options.c opt_dequote: a double-quoted value in which \" stands for a quote.</summary>
    private static string Dequote(string options, ref int position)
    {
        if (position >= options.Length || options[position] != '"')
        {
            throw new FormatException("option value must be quoted");
        }
        var value = new StringBuilder();
        position++;
        while (position < options.Length && options[position] != '"')
        {
            if (options[position] == '\\' && position + 1 < options.Length && options[position + 1] == '"')
            {
                position++;
            }
            value.Append(options[position++]);
        }
        if (position >= options.Length)
        {
            throw new FormatException("option value is missing its end quote");
        }
        position++;
        return value.ToString();
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
