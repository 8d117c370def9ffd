using KeyAgentd.Core;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.AllowedSigners;

namespace KeyAgentd.Trust.Revocation;

/// <summary>
/// The text forms of a revoked signers file, one revocation per line, in what operators paste:
/// a "SHA256:…" fingerprint with anything after it (a comment), an `ssh-keygen -l` line
/// ("256 SHA256:… comment (ED25519)"), a public key line with or without authorized_keys options and
/// comment, or a whole allowed_signers line ("principals [options] type base64 [comment]"). Options
/// and validity windows on such a line are ignored: a revocation is unconditional. A certificate line
/// revokes the key it certifies. Blank lines and '#' comments are skipped; any other line is a
/// <see cref="FormatException"/> naming its number, never skipped.
/// </summary>
internal static class RevokedSignersText
{
    public static void Read(string text, RevocationSet revoked)
    {
        // An editor's UTF-8 byte order mark is not part of the first line.
        text = text.TrimStart('\uFEFF');
        int lineNumber = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            lineNumber++;
            string line = text[range].TrimEnd('\r').Trim(' ', '\t');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            try
            {
                ReadLine(line, revoked);
            }
            catch (Exception e) when (e is FormatException or KeyFormatException)
            {
                throw new FormatException($"line {lineNumber}: {e.Message}", e);
            }
        }
    }

    private static void ReadLine(string line, RevocationSet revoked)
    {
        string[] words = line.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        string? fingerprint = Fingerprint.IsSha256(words[0]) ? words[0]
            : words.Length > 1 && words[0].All(char.IsAsciiDigit) && Fingerprint.IsSha256(words[1]) ? words[1]
            : null;
        if (fingerprint is not null)
        {
            revoked.Sha256.Add(KrlWriter.Sha256FromFingerprint(fingerprint));
            return;
        }
        if (words[0].StartsWith("MD5:", StringComparison.Ordinal) || (words.Length > 1 && words[1].StartsWith("MD5:", StringComparison.Ordinal)))
        {
            throw new FormatException("an MD5 fingerprint cannot name a revoked key (a KRL has no MD5 section): give the SHA256 fingerprint or the key");
        }
        var keyLine = AuthorizedKeyLineParser.Parse(line);
        if (keyLine is { IsKey: true, Key: { } key })
        {
            revoked.PlainKeys.Add(key.PlainBlob());
            return;
        }
        try
        {
            revoked.PlainKeys.Add(AllowedSignersParser.KeyOfLine(line).PlainBlob());
        }
        catch (Exception e) when (e is FormatException or KeyFormatException)
        {
            throw new FormatException(
                $"not a SHA256 fingerprint, public key or allowed_signers line (as a key line: {keyLine.ErrorMessage ?? "no key"}; as an allowed_signers line: {e.Message}): \"{SafeText.Escape(line, 60)}\"", e);
        }
    }
}
