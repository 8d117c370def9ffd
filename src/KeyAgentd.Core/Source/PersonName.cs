namespace KeyAgentd.Core.Source;

/// <summary>A person's name is a file name (people/&lt;name&gt;.keys) and a JSON key: e-mail-like text, nothing that is a path or layout.</summary>
public static class PersonName
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 128 && name[0] != '.' &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '@' or '.' or '_' or '+' or '-');
}
