using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Source;

/// <summary>
/// Reads a people/&lt;person&gt;.keys file: one OpenSSH public key per line, '#' comment lines, and
/// per-key attributes in a trailing comment (<c>ssh-ed25519 AAAA… alice@laptop # label=laptop not_after=2027-06-01</c>).
/// An RFC 4716 block or a key wrapped over lines is converted, with a warning that shows the line to
/// write instead; a pasted private key is reported once and its body skipped. Keys are not judged
/// here (that is the validator's job, with the daemon's policy): a broken line is kept as written.
/// </summary>
public static class KeysFileParser
{
    public static IReadOnlyList<SourceKey> Parse(string file, string text, List<SourceProblem> problems)
    {
        var physical = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var content = new List<string>(physical.Count);
        var attributes = new List<string?>(physical.Count);
        foreach (string line in physical)
        {
            var (body, attrs) = SplitAttributes(line);
            content.Add(body);
            attributes.Add(attrs);
        }
        var keys = new List<SourceKey>();
        for (int i = 0; i < content.Count; i++)
        {
            string line = content[i];
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }
            var location = new SourceLocation(file, i + 1);
            var parsed = AuthorizedKeyLineParser.Parse(line);
            if (parsed.Error == ReasonCode.PrivateKey)
            {
                keys.Add(new SourceKey(trimmed, null, null, null, location));
                while (i + 1 < content.Count && !content[i].Contains("-----END", StringComparison.Ordinal))
                {
                    i++;
                }
                continue;
            }
            bool convertible = parsed.Error is ReasonCode.NeedsConversion or ReasonCode.BadBase64 or ReasonCode.TruncatedBlob;
            if (convertible && KeyImport.TryConvertAt(content, i, out string? converted, out int consumed) && consumed > 1)
            {
                int last = i + consumed - 1;
                var (label, notAfter) = ReadAttributes(attributes[last], new SourceLocation(file, last + 1), problems);
                var reason = parsed.Error == ReasonCode.NeedsConversion ? "an RFC 4716 (PuTTYgen) block" : $"a key wrapped over {consumed} lines";
                var fix = $"replace lines {i + 1}-{last + 1} with this one line: {converted}";
                problems.Add(parsed.Error == ReasonCode.NeedsConversion
                    ? new SourceProblem(location, ProblemSeverity.Warning, ReasonCode.NeedsConversion.ToCode(), $"{reason} was converted", fix)
                    : SourceProblem.Warning(location, SourceReason.KeySplitOverLines, $"{reason} was joined", fix));
                keys.Add(new SourceKey(converted!, label, notAfter, AuthorizedKeyLineParser.Parse(converted!).Key, location));
                i = last;
                continue;
            }
            var attrs = ReadAttributes(attributes[i], location, problems);
            keys.Add(new SourceKey(line.Trim(), attrs.Label, attrs.NotAfter, parsed.Key, location));
            if (parsed.Error is ReasonCode.BadBase64 or ReasonCode.TruncatedBlob)
            {
                // The rest of a key broken over lines would each be reported as "not a key": one report is enough.
                while (i + 1 < content.Count && IsBase64Run(content[i + 1].Trim()))
                {
                    i++;
                }
            }
        }
        return keys;
    }

    /// <summary>
    /// The person attribute line <c># principal=NAME</c> (a comment to everything else, so a file with
    /// it still reads as before): the certificate principal rules with <c>cas</c> admit for the person.
    /// The last such line wins; null when there is none.
    /// </summary>
    public static string? PersonPrincipal(string text)
    {
        string? principal = null;
        foreach (string line in text.Split('\n'))
        {
            string trimmed = line.Trim(' ', '\t', '\r');
            if (trimmed.Length > 1 && trimmed[0] == '#' && trimmed[1..].TrimStart(' ', '\t') is { } rest &&
                rest.StartsWith("principal=", StringComparison.Ordinal))
            {
                principal = rest["principal=".Length..];
            }
        }
        return principal;
    }

    /// <summary>
    /// The attribute comment is the last " #" whose text holds name=value tokens; a '#' elsewhere
    /// (inside a key comment like "laptop #2") stays part of the key's comment.
    /// </summary>
    internal static (string Body, string? Attributes) SplitAttributes(string line)
    {
        for (int hash = line.LastIndexOf('#'); hash > 0; hash = line.LastIndexOf('#', hash - 1))
        {
            if (line[hash - 1] is not (' ' or '\t'))
            {
                continue;
            }
            string rest = line[(hash + 1)..].Trim();
            if (rest.Length > 0 && Tokens(rest).All(t => t.Contains('=', StringComparison.Ordinal)))
            {
                return (line[..hash].TrimEnd(), rest);
            }
            return (line, null);
        }
        return (line, null);
    }

    private static (string? Label, DateTimeOffset? NotAfter) ReadAttributes(string? text, SourceLocation location, List<SourceProblem> problems)
    {
        if (text is null)
        {
            return (null, null);
        }
        string? label = null;
        DateTimeOffset? notAfter = null;
        foreach (string token in Tokens(text))
        {
            int equals = token.IndexOf('=', StringComparison.Ordinal);
            string name = token[..equals];
            string value = token[(equals + 1)..];
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }
            switch (name)
            {
                case "label" when value.Length is > 0 and <= 64 && !SafeText.ContainsControl(value):
                    label = value;
                    break;
                case "not_after" when SourceDates.TryParse(value, out var date):
                    notAfter = date;
                    break;
                case "label" or "not_after":
                    problems.Add(SourceProblem.Error(location, SourceReason.KeyAttribute, $"{name}=\"{value}\" is not valid",
                        name == "label" ? "a label is 1-64 printable characters" : $"not_after is {SourceDates.Expected}"));
                    break;
                default:
                    problems.Add(SourceProblem.Error(location, SourceReason.KeyAttribute, $"unknown key attribute \"{name}\"",
                        "the attributes are label=… and not_after=…"));
                    break;
            }
        }
        return (label, notAfter);
    }

    /// <summary>Blank-separated tokens, a double-quoted value kept whole (label="work laptop").</summary>
    private static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] is ' ' or '\t')
            {
                i++;
            }
            int start = i;
            bool quoted = false;
            while (i < text.Length && (quoted || text[i] is not (' ' or '\t')))
            {
                quoted ^= text[i] == '"';
                i++;
            }
            if (i > start)
            {
                tokens.Add(text[start..i]);
            }
        }
        return tokens;
    }

    private static bool IsBase64Run(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=');
}
