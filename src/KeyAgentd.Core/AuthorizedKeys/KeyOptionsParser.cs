using System.Diagnostics.CodeAnalysis;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// Parses the options field of an authorized_keys line with the grammar and the checks of
/// OpenSSH's sshauthopt_parse (auth-options.c). Error messages are sshd's own where it has one,
/// so an operator can match them against sshd's log.
/// </summary>
public static class KeyOptionsParser
{
    /// <summary>Flags that take no value; the negatable ones also accept a "no-" prefix.</summary>
    private static readonly string[] PlainFlags = ["restrict", "cert-authority"];

    private static readonly string[] NegatableFlags =
        ["port-forwarding", "agent-forwarding", "x11-forwarding", "touch-required", "verify-required", "pty", "user-rc"];

    private static readonly string[] ValuedOptions =
        ["command", "principals", "from", "expiry-time", "environment", "permitopen", "permitlisten", "tunnel"];

    /// <summary>Every option name sshd knows, canonical lower-case, "no-" forms included.</summary>
    public static IReadOnlyList<string> KnownNames { get; } =
        [.. PlainFlags, .. NegatableFlags, .. NegatableFlags.Select(f => "no-" + f), .. ValuedOptions];

    public static bool TryParse(string text, [NotNullWhen(true)] out KeyOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        var parsed = new List<KeyOption>();
        int i = 0;
        while (i < text.Length)
        {
            if (!TryParseOne(text, ref i, parsed, out string? oneError))
            {
                error = oneError ?? "unsupported option";
                return false;
            }
            if (i == text.Length)
            {
                break;
            }
            if (text[i] != ',')
            {
                error = "unknown key option";
                return false;
            }
            i++;
            if (i == text.Length)
            {
                error = "unexpected end-of-options";
                return false;
            }
        }
        if (parsed.Count == 0)
        {
            error = "empty options";
            return false;
        }
        options = new KeyOptions(parsed);
        error = null;
        return true;
    }

    public static KeyOptions Parse(string text) =>
        TryParse(text, out var options, out var error) ? options : throw new FormatException(error);

    private static bool TryParseOne(string text, ref int i, List<KeyOption> parsed, out string? error)
    {
        error = null;
        ReadOnlySpan<char> rest = text.AsSpan(i);
        foreach (string flag in PlainFlags)
        {
            if (rest.StartsWith(flag, StringComparison.OrdinalIgnoreCase))
            {
                i += flag.Length;
                parsed.Add(KeyOption.Flag(flag));
                return true;
            }
        }
        bool negated = rest.StartsWith("no-", StringComparison.OrdinalIgnoreCase);
        ReadOnlySpan<char> flagText = negated ? rest[3..] : rest;
        foreach (string flag in NegatableFlags)
        {
            if (flagText.StartsWith(flag, StringComparison.OrdinalIgnoreCase))
            {
                i += (negated ? 3 : 0) + flag.Length;
                parsed.Add(KeyOption.Flag(negated ? "no-" + flag : flag));
                return true;
            }
        }
        foreach (string name in ValuedOptions)
        {
            if (rest.Length > name.Length && rest.StartsWith(name, StringComparison.OrdinalIgnoreCase) && rest[name.Length] == '=')
            {
                i += name.Length + 1;
                string? value = Dequote(text, ref i, out error);
                if (value is null)
                {
                    return false;
                }
                error = Validate(name, value, parsed);
                if (error is not null)
                {
                    return false;
                }
                parsed.Add(new KeyOption(name, value));
                return true;
            }
        }
        error = "unsupported option";
        return false;
    }

    /// <summary>opt_dequote: a double-quoted value where \" is the only escape.</summary>
    private static string? Dequote(string text, ref int i, out string? error)
    {
        if (i >= text.Length || text[i] != '"')
        {
            error = "missing start quote";
            return null;
        }
        i++;
        var value = new System.Text.StringBuilder();
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '"')
            {
                i++;
            }
            value.Append(text[i]);
            i++;
        }
        if (i >= text.Length)
        {
            error = "missing end quote";
            return null;
        }
        i++;
        error = null;
        return value.ToString();
    }

    private static string? Validate(string name, string value, List<KeyOption> sofar)
    {
        switch (name)
        {
            case "command" or "principals" or "from" or "tunnel" when sofar.Any(o => o.Name == name):
                return $"multiple \"{name}\" clauses";
            case "expiry-time" when !ExpiryTimeFormat.TryParse(value, TimeZoneInfo.Utc, out _):
                return "invalid expires time";
            case "environment":
                int equals = value.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0)
                {
                    return "invalid environment string";
                }
                if (equals == 0 || value.AsSpan(0, equals).ContainsAnyExcept(EnvironmentNameChars))
                {
                    return "invalid environment string";
                }
                return null;
            case "permitopen" or "permitlisten":
                return PermitSpec.Validate(value, isListen: name == "permitlisten");
            case "tunnel" when value != "any" && !(uint.TryParse(value, out uint unit) && unit <= 0x7FFFFFFD):
                return "invalid tun device";
            case "from" when value.Length == 0:
                return "empty \"from\" list";
            default:
                return null;
        }
    }

    private static readonly System.Buffers.SearchValues<char> EnvironmentNameChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
}
