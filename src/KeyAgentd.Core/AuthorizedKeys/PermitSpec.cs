using System.Globalization;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>The host:port syntax of permitopen/permitlisten (hpdelim2 and permitopen_port in sshd).</summary>
internal static class PermitSpec
{
    /// <summary>sshd's FWD_PERMIT_ANY_HOST / FWD_PERMIT_ANY_PORT.</summary>
    private const string Any = "*";

    public static string? Validate(string value, bool isListen) => Split(value, isListen, out _, out _);

    /// <summary>
    /// Whether every destination <paramref name="narrower"/> lets through is one <paramref name="wider"/>
    /// lets through too, as sshd matches them: open_match compares the host with strcmp and takes "*"
    /// for any host; remote_open_match lower-cases the requested listen host (ASCII) and matches it against
    /// the permitted one as a pattern. Ports are numbers ("02300" is 2300, a2port) or "*". A pattern
    /// on the narrower side is covered only by the same pattern or by "*": containment of one
    /// pattern in another is not decided here, so such a value counts as not covered.
    /// </summary>
    public static bool Covers(string wider, string narrower, bool isListen)
    {
        if (Split(wider, isListen, out string? wideHost, out string? widePort) is not null ||
            Split(narrower, isListen, out string? narrowHost, out string? narrowPort) is not null)
        {
            return false;
        }
        bool portCovered = widePort == Any || (narrowPort != Any && Port(widePort!) == Port(narrowPort!));
        return portCovered && HostCovers(wideHost!, narrowHost!, isListen);
    }

    private static bool HostCovers(string wide, string narrow, bool isListen)
    {
        if (wide == Any || wide == narrow)
        {
            return true;
        }
        return isListen && narrow.IndexOfAny(['*', '?']) < 0 && Glob.IsMatch(wide, AsciiLower(narrow));
    }

    /// <summary>sshd's lowercase(): tolower on each byte in the C locale, so only A-Z change (never ToLowerInvariant's Kelvin sign to "k").</summary>
    private static string AsciiLower(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] | 0x20) : source[i];
            }
        });

    private static int Port(string port) => int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture);

    private static string? Split(string value, bool isListen, out string? host, out string? port)
    {
        host = null;
        port = null;
        // permitlisten may name just a port, which sshd reads as "*:port".
        string spec = isListen && !value.Contains(':', StringComparison.Ordinal) ? "*:" + value : value;
        string h;
        string p;
        if (spec.StartsWith('['))
        {
            int close = spec.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= spec.Length || spec[close + 1] != ':')
            {
                return "invalid permission hostname";
            }
            h = spec[1..close];
            p = spec[(close + 2)..];
        }
        else
        {
            int colon = spec.IndexOfAny([':', '/']);
            if (colon < 0)
            {
                return "missing host in permitopen";
            }
            h = spec[..colon];
            p = spec[(colon + 1)..];
        }
        if (h.Length == 0 || h.Length >= 1025)
        {
            return "invalid permission hostname";
        }
        if (p != Any && !(int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is > 0 and <= 65535))
        {
            return "invalid permission port";
        }
        host = h;
        port = p;
        return null;
    }
}
