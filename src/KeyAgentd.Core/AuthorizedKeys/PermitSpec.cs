namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>The host:port syntax of permitopen/permitlisten (hpdelim2 and permitopen_port in sshd).</summary>
internal static class PermitSpec
{
    public static string? Validate(string value, bool isListen)
    {
        // permitlisten may name just a port, which sshd reads as "*:port".
        string spec = isListen && !value.Contains(':', StringComparison.Ordinal) ? "*:" + value : value;
        string host;
        string port;
        if (spec.StartsWith('['))
        {
            int close = spec.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= spec.Length || spec[close + 1] != ':')
            {
                return "invalid permission hostname";
            }
            host = spec[1..close];
            port = spec[(close + 2)..];
        }
        else
        {
            int colon = spec.IndexOfAny([':', '/']);
            if (colon < 0)
            {
                return "missing host in permitopen";
            }
            host = spec[..colon];
            port = spec[(colon + 1)..];
        }
        if (host.Length == 0 || host.Length >= 1025)
        {
            return "invalid permission hostname";
        }
        if (port != "*" && !(int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number) && number is > 0 and <= 65535))
        {
            return "invalid permission port";
        }
        return null;
    }
}
