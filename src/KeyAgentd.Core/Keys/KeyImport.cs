using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Keys;

/// <summary>
/// Turns the shapes people actually paste into one OpenSSH authorized_keys line: an RFC 4716
/// block (PuTTYgen's "Save public key", ssh-keygen -e) and a key wrapped over several lines by a
/// mail client or a terminal. Conversion only succeeds when the result is exactly one valid key,
/// so this can never merge two lines into something that was not there.
/// </summary>
public static class KeyImport
{
    private const string Rfc4716Begin = "---- BEGIN SSH2 PUBLIC KEY ----";
    private const string Rfc4716End = "---- END SSH2 PUBLIC KEY ----";

    /// <summary>
    /// Normalises a key text (e.g. a registry "key" field): a single line is returned unchanged,
    /// except that an "rsa-sha2-256"/"rsa-sha2-512" type token becomes ssh-rsa (sshd reads the key
    /// as ssh-rsa anyway, and what keyagentd writes is canonical); an RFC 4716 block or a wrapped
    /// key is converted; anything else is returned unchanged so the line parser reports it.
    /// </summary>
    public static string Normalize(string text)
    {
        string trimmed = text.Trim('\r', '\n');
        if (!trimmed.Contains('\n', StringComparison.Ordinal))
        {
            // The substring test keeps the common case to one parse: base64 has no '-', so only a type, an option or a comment can match.
            return trimmed.Contains("rsa-sha2-", StringComparison.Ordinal) &&
                AuthorizedKeyLineParser.Parse(trimmed) is { Error: ReasonCode.NeedsConversion, Key: not null, Suggestion: { } canonical }
                ? canonical
                : trimmed;
        }
        var lines = trimmed.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (TryConvertAt(lines, 0, out string? converted, out int consumed) && consumed == lines.Count)
        {
            return converted!;
        }
        return text;
    }

    /// <summary>
    /// Tries to read one key starting at <paramref name="start"/> that spans several physical lines.
    /// On success returns the OpenSSH line and how many physical lines it used.
    /// </summary>
    public static bool TryConvertAt(IReadOnlyList<string> lines, int start, out string? openSshLine, out int consumed)
    {
        string first = lines[start].Trim();
        return first == Rfc4716Begin
            ? TryConvertRfc4716(lines, start, out openSshLine, out consumed)
            : TryUnwrap(lines, start, out openSshLine, out consumed);
    }

    private static bool TryConvertRfc4716(IReadOnlyList<string> lines, int start, out string? openSshLine, out int consumed)
    {
        openSshLine = null;
        consumed = 0;
        string? comment = null;
        var body = new StringBuilder();
        bool inHeaders = true;
        for (int i = start + 1; i < lines.Count && i - start < 1000; i++)
        {
            string line = lines[i].Trim();
            if (line == Rfc4716End)
            {
                consumed = i - start + 1;
                return TryBuildLine(body.ToString(), comment, out openSshLine);
            }
            if (inHeaders && line.Contains(':', StringComparison.Ordinal))
            {
                // Header "Tag: value", continued while a line ends in a backslash (RFC 4716 §3.3).
                var header = new StringBuilder(line);
                while (header.Length > 0 && header[^1] == '\\' && i + 1 < lines.Count)
                {
                    header.Length--;
                    header.Append(lines[++i].Trim());
                }
                string text = header.ToString();
                int colon = text.IndexOf(':', StringComparison.Ordinal);
                if (text[..colon].Trim().Equals("Comment", StringComparison.OrdinalIgnoreCase))
                {
                    comment = text[(colon + 1)..].Trim();
                    if (comment.Length >= 2 && comment[0] == '"' && comment[^1] == '"')
                    {
                        comment = comment[1..^1];
                    }
                }
                continue;
            }
            inHeaders = false;
            body.Append(line);
        }
        return false;
    }

    /// <summary>"type base64-part" on the first line, only base64 on the following ones, the comment on the last.</summary>
    private static bool TryUnwrap(IReadOnlyList<string> lines, int start, out string? openSshLine, out int consumed)
    {
        openSshLine = null;
        consumed = 0;
        string[] head = lines[start].Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (head.Length != 2 || !SshKeyType.TryGet(head[0], out _))
        {
            return false;
        }
        var blob = new StringBuilder(head[1]);
        for (int i = start + 1; i < lines.Count && i - start < 200; i++)
        {
            string[] parts = lines[i].Trim().Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !IsBase64Run(parts[0]))
            {
                return false;
            }
            blob.Append(parts[0]);
            string candidate = head[0] + " " + blob + (parts.Length > 1 ? " " + parts[1] : "");
            var parsed = AuthorizedKeyLineParser.Parse(candidate);
            if (parsed.IsKey)
            {
                openSshLine = candidate;
                consumed = i - start + 1;
                return true;
            }
            if (parts.Length > 1 || parsed.Error is not (ReasonCode.BadBase64 or ReasonCode.TruncatedBlob))
            {
                return false;
            }
        }
        return false;
    }

    private static bool TryBuildLine(string base64, string? comment, out string? openSshLine)
    {
        openSshLine = null;
        byte[] blob;
        try
        {
            blob = SshPublicKeyDecoder.DecodeBase64(base64);
        }
        catch (KeyFormatException)
        {
            return false;
        }
        var reader = new SshWireReader(blob);
        string type;
        try
        {
            type = Encoding.ASCII.GetString(reader.ReadString("key type", 64));
        }
        catch (KeyFormatException)
        {
            return false;
        }
        string candidate = type + " " + base64 + (string.IsNullOrEmpty(comment) ? "" : " " + comment);
        if (!AuthorizedKeyLineParser.Parse(candidate).IsKey)
        {
            return false;
        }
        openSshLine = candidate;
        return true;
    }

    private static bool IsBase64Run(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=');
}
