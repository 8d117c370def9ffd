using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.AllowedSigners;

/// <summary>
/// The allowed_signers line grammar of sshsig.c parse_principals_key_and_options and
/// sshsigopt_parse: principals, optional comma-separated options, then a plain public key and an
/// optional comment. Option values are quoted, as opt_dequote requires.
/// </summary>
internal static class AllowedSignersParser
{
    public static AllowedSignersFile Parse(string text, TimeZoneInfo localZone, string? path)
    {
        var signers = new List<AllowedSigner>();
        var errors = new List<AllowedSignersError>();
        if (text.Length > AllowedSignersFile.MaxBytes)
        {
            errors.Add(new AllowedSignersError(0, $"file is larger than {AllowedSignersFile.MaxBytes} bytes; nothing in it is trusted"));
            return new AllowedSignersFile(signers, errors, path);
        }
        // An editor's UTF-8 byte order mark is not part of the first principal: kept, it would make that line's
        // person someone else, and one person with two keys two signers toward Registry:SignatureThreshold.
        text = text.TrimStart('\uFEFF');
        int lineNumber = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            lineNumber++;
            string line = text[range].TrimEnd('\r');
            SshPublicKey? keyOfLine = null;
            try
            {
                if (ParseLine(line, lineNumber, localZone, ref keyOfLine) is { } signer)
                {
                    signers.Add(signer);
                }
            }
            catch (FormatException ex)
            {
                errors.Add(new AllowedSignersError(lineNumber, ex.Message, keyOfLine));
            }
            catch (KeyFormatException ex)
            {
                errors.Add(new AllowedSignersError(lineNumber, $"invalid key: {ex.Message}"));
            }
        }
        return new AllowedSignersFile(signers, errors, path);
    }

    /// <summary>The key of one allowed_signers line, for a revoked signers file that quotes such a line whole.</summary>
    /// <exception cref="FormatException">The line is not a valid allowed_signers line.</exception>
    internal static SshPublicKey KeyOfLine(string line)
    {
        SshPublicKey? key = null;
        return ParseLine(line, 0, TimeZoneInfo.Utc, ref key)?.Key ?? throw new FormatException("blank or comment line");
    }

    /// <param name="key">Set as soon as the key decodes, so a line whose options are wrong still says whose line it was.</param>
    private static AllowedSigner? ParseLine(string line, int lineNumber, TimeZoneInfo localZone, ref SshPublicKey? key)
    {
        int position = SkipBlanks(line, 0);
        if (position == line.Length || line[position] == '#')
        {
            return null;
        }
        if (line.AsSpan().ContainsAnyInRange('\0', '\x08') || line.AsSpan().ContainsAnyInRange('\x0a', '\x1f') || line.Contains('\x7f', StringComparison.Ordinal))
        {
            throw new FormatException("control character in line");
        }
        string principals = ReadPrincipals(line, ref position);
        position = SkipBlanks(line, position);

        string? options = null;
        string first = Token(line, position);
        if (!SshKeyType.TryGet(first, out _))
        {
            int start = position;
            position = SkipOptions(line, position);
            options = line[start..position];
            position = SkipBlanks(line, position);
        }
        string type = Token(line, position);
        if (type.Length == 0)
        {
            throw new FormatException("missing key");
        }
        position = SkipBlanks(line, position + type.Length);
        string base64 = Token(line, position);
        if (base64.Length == 0)
        {
            throw new FormatException("missing key");
        }
        SshPublicKey decoded = SshPublicKeyDecoder.Decode(type, base64);
        if (decoded.Type.IsCertificate)
        {
            throw new FormatException("a certificate is not a signer key; list the plain key");
        }
        key = decoded;
        var parsed = AllowedSignerOptions.Parse(options, localZone);
        return new AllowedSigner(lineNumber, new PatternList(principals), decoded, parsed.Namespaces, parsed.ValidAfter, parsed.ValidBefore);
    }

    /// <summary>misc.c strdelimw: one whitespace-delimited word, or a double-quoted one.</summary>
    private static string ReadPrincipals(string line, ref int position)
    {
        string principals;
        if (line[position] == '"')
        {
            int close = line.IndexOf('"', position + 1);
            if (close < 0)
            {
                throw new FormatException("invalid principals (unterminated quote)");
            }
            principals = line[(position + 1)..close];
            position = close + 1;
            if (position < line.Length && line[position] is not (' ' or '\t'))
            {
                throw new FormatException("invalid principals");
            }
        }
        else
        {
            principals = Token(line, position);
            position += principals.Length;
        }
        if (principals.Length == 0 || principals.Split(',').Any(p => p.Length == 0 || p == "!"))
        {
            throw new FormatException("invalid principals");
        }
        return principals;
    }

    /// <summary>authfile.c sshkey_advance_past_options: up to the first blank outside quotes.</summary>
    private static int SkipOptions(string line, int position)
    {
        bool quoted = false;
        for (; position < line.Length && (quoted || line[position] is not (' ' or '\t')); position++)
        {
            if (line[position] == '\\' && position + 1 < line.Length && line[position + 1] == '"')
            {
                position++;
            }
            else if (line[position] == '"')
            {
                quoted = !quoted;
            }
        }
        if (quoted)
        {
            throw new FormatException("invalid options (unterminated quote)");
        }
        return position;
    }

    private static string Token(string line, int position)
    {
        int end = position;
        while (end < line.Length && line[end] is not (' ' or '\t'))
        {
            end++;
        }
        return line[position..end];
    }

    private static int SkipBlanks(string line, int position)
    {
        while (position < line.Length && line[position] is ' ' or '\t')
        {
            position++;
        }
        return position;
    }
}
