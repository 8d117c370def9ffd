using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// A whole authorized_keys-style file, read line by line as sshd does, plus recognition of keys
/// that sshd would silently skip because they span several lines (RFC 4716, wrapped keys): those
/// come back as one <see cref="ReasonCode.NeedsConversion"/> entry carrying the corrected line.
/// </summary>
public static class AuthorizedKeysFile
{
    public static List<AuthorizedKeyLine> Read(string text)
    {
        var parsed = AuthorizedKeyLineParser.ParseAll(text);
        var raw = parsed.Select(l => l.Raw).ToList();
        var result = new List<AuthorizedKeyLine>(parsed.Count);
        for (int i = 0; i < parsed.Count; i++)
        {
            var line = parsed[i];
            bool mayStartMultiLine = line.Kind == AuthorizedKeyLineKind.Invalid &&
                line.Error is ReasonCode.NeedsConversion or ReasonCode.BadBase64 or ReasonCode.TruncatedBlob;
            if (mayStartMultiLine && KeyImport.TryConvertAt(raw, i, out string? converted, out int consumed) && consumed > 1)
            {
                result.Add(new AuthorizedKeyLine(line.LineNumber, string.Join('\n', raw.Skip(i).Take(consumed)), AuthorizedKeyLineKind.Invalid)
                {
                    Error = ReasonCode.NeedsConversion,
                    ErrorMessage = line.Error == ReasonCode.NeedsConversion
                        ? $"RFC 4716 block over {consumed} lines, which sshd cannot read; use the one-line form shown"
                        : $"key wrapped over {consumed} lines, which sshd reads as broken lines; join it into the one line shown",
                    Suggestion = converted,
                    PhysicalLines = consumed,
                    KeyType = AuthorizedKeyLineParser.Parse(converted!).KeyType,
                });
                i += consumed - 1;
                continue;
            }
            result.Add(line);
        }
        return result;
    }
}
