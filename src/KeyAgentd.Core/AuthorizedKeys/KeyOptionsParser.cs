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

    /// <summary>
    /// The earliest expiry-time of an options field given as its UTF-8 bytes, with exactly the
    /// answer of <see cref="TryParse"/> then <see cref="KeyOptions.ExpiryTime"/>: false when
    /// <see cref="TryParse"/> would reject the field, else <paramref name="earliest"/> (null when
    /// there is no expiry-time). For the login helper, which checks this on every line that has one:
    /// an ASCII field of flags, from= and expiry-time= clauses (what the daemon writes) is read here
    /// without allocating, with the same grammar; anything else goes through <see cref="TryParse"/>.
    /// </summary>
    public static bool TryGetExpiryTime(ReadOnlySpan<byte> text, TimeZoneInfo localZone, out DateTimeOffset? earliest)
    {
        earliest = null;
        Span<Range> expiries = stackalloc Range[MaxFastExpiryClauses];
        switch (TryScanExpiryTimes(text, expiries, out int count))
        {
            case FastScan.Invalid:
                return false;
            case FastScan.Unhandled:
                if (!TryParse(System.Text.Encoding.UTF8.GetString(text), out var parsed, out _))
                {
                    return false;
                }
                earliest = parsed.ExpiryTime(localZone);
                return true;
        }
        // Only now, as TryParse validates every option before ExpiryTime reads them in the local zone.
        Span<char> value = stackalloc char[MaxExpiryValueLength];
        for (int k = 0; k < count; k++)
        {
            var bytes = text[expiries[k]];
            int length = Dequote(bytes, value);
            if (ExpiryTimeFormat.TryParse(value[..length], localZone, out var when) && (earliest is null || when < earliest))
            {
                earliest = when;
            }
        }
        return true;
    }

    private enum FastScan { Valid, Invalid, Unhandled }

    private const int MaxFastExpiryClauses = 8;

    /// <summary>"YYYYMMDDHHMMSSZ" is the longest valid value; a longer one is invalid whatever it holds.</summary>
    private const int MaxExpiryValueLength = 15;

    /// <summary>TryParse's grammar on ASCII bytes, for flags, from= and expiry-time=; any other valued option is Unhandled.</summary>
    private static FastScan TryScanExpiryTimes(ReadOnlySpan<byte> text, Span<Range> expiries, out int count)
    {
        count = 0;
        if (!System.Text.Ascii.IsValid(text))
        {
            // Ordinal-ignore-case matching of names beyond ASCII is TryParse's business.
            return FastScan.Unhandled;
        }
        bool sawFrom = false;
        int options = 0;
        int i = 0;
        while (i < text.Length)
        {
            var step = ScanOne(text, ref i, expiries, ref count, ref sawFrom);
            if (step != FastScan.Valid)
            {
                return step;
            }
            options++;
            if (i == text.Length)
            {
                break;
            }
            if (text[i] != (byte)',')
            {
                return FastScan.Invalid;
            }
            i++;
            if (i == text.Length)
            {
                return FastScan.Invalid;
            }
        }
        return options == 0 ? FastScan.Invalid : FastScan.Valid;
    }

    private static FastScan ScanOne(ReadOnlySpan<byte> text, ref int i, Span<Range> expiries, ref int count, ref bool sawFrom)
    {
        ReadOnlySpan<byte> rest = text[i..];
        Span<char> value = stackalloc char[MaxExpiryValueLength];
        foreach (string flag in PlainFlags)
        {
            if (StartsWithIgnoreCase(rest, flag))
            {
                i += flag.Length;
                return FastScan.Valid;
            }
        }
        bool negated = StartsWithIgnoreCase(rest, "no-");
        ReadOnlySpan<byte> flagText = negated ? rest[3..] : rest;
        foreach (string flag in NegatableFlags)
        {
            if (StartsWithIgnoreCase(flagText, flag))
            {
                i += (negated ? 3 : 0) + flag.Length;
                return FastScan.Valid;
            }
        }
        foreach (string name in ValuedOptions)
        {
            if (rest.Length > name.Length && StartsWithIgnoreCase(rest, name) && rest[name.Length] == (byte)'=')
            {
                if (name is not ("from" or "expiry-time"))
                {
                    return FastScan.Unhandled;
                }
                int valueStart = i + name.Length + 1;
                int end = EndOfQuoted(text, valueStart);
                if (end < 0)
                {
                    return FastScan.Invalid;
                }
                i = end;
                var quoted = valueStart..end;
                if (name == "from")
                {
                    // Validate: no second from= clause, and not empty.
                    if (sawFrom || end - valueStart == 2)
                    {
                        return FastScan.Invalid;
                    }
                    sawFrom = true;
                    return FastScan.Valid;
                }
                if (DequotedLength(text[quoted]) > MaxExpiryValueLength ||
                    !ExpiryTimeFormat.TryParse(value[..Dequote(text[quoted], value)], TimeZoneInfo.Utc, out _))
                {
                    return FastScan.Invalid;
                }
                if (count == expiries.Length)
                {
                    return FastScan.Unhandled;
                }
                expiries[count++] = quoted;
                return FastScan.Valid;
            }
        }
        return FastScan.Invalid;
    }

    // The first letter (ASCII, case folded) first: most candidates differ there, and the whole
    // compare widens the bytes to UTF-16 on every option of every expiry line the helper reads.
    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, string prefix) =>
        text.Length >= prefix.Length && (text[0] | 0x20) == (prefix[0] | 0x20) &&
        System.Text.Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);

    /// <summary>Dequote's extent on bytes: the index just past the closing quote, or -1 (missing start or end quote).</summary>
    private static int EndOfQuoted(ReadOnlySpan<byte> text, int i)
    {
        if (i >= text.Length || text[i] != (byte)'"')
        {
            return -1;
        }
        i++;
        while (i < text.Length && text[i] != (byte)'"')
        {
            if (text[i] == (byte)'\\' && i + 1 < text.Length && text[i + 1] == (byte)'"')
            {
                i++;
            }
            i++;
        }
        return i >= text.Length ? -1 : i + 1;
    }

    /// <summary>The length of Dequote's value for a quoted run that <see cref="EndOfQuoted"/> accepted.</summary>
    private static int DequotedLength(ReadOnlySpan<byte> quoted)
    {
        int length = 0;
        for (int i = 1; i < quoted.Length - 1; i++, length++)
        {
            if (quoted[i] == (byte)'\\' && quoted[i + 1] == (byte)'"' && i + 1 < quoted.Length - 1)
            {
                i++;
            }
        }
        return length;
    }

    /// <summary>Dequote into <paramref name="value"/> (ASCII, already measured to fit); returns the length.</summary>
    private static int Dequote(ReadOnlySpan<byte> quoted, Span<char> value)
    {
        int length = 0;
        for (int i = 1; i < quoted.Length - 1 && length < value.Length; i++)
        {
            if (quoted[i] == (byte)'\\' && quoted[i + 1] == (byte)'"' && i + 1 < quoted.Length - 1)
            {
                i++;
            }
            value[length++] = (char)quoted[i];
        }
        return length;
    }

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
