namespace KeyAgentd.Core.Source;

/// <summary>A host name becomes a file name (DIR/&lt;host&gt;.json) and a URL path segment: DNS-like characters only.</summary>
public static class HostName
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 253 && name[0] is not ('.' or '-') &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
