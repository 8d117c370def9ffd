using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// Reads one authorized_keys line the way sshd does (auth2-pubkeyfile.c): leading blanks skipped,
/// '#' lines ignored, a bare key tried first, otherwise an options field (which ends at the first
/// unquoted blank) followed by the key; everything after the blob is the comment.
/// </summary>
public static class AuthorizedKeyLineParser
{
    /// <summary>Far above any real key line (a 16384-bit RSA key is ~2.8 KB); stops pathological input early.</summary>
    public const int MaxLineLength = 64 * 1024;

    public static AuthorizedKeyLine Parse(string line, int lineNumber = 0)
    {
        string raw = line.EndsWith('\r') ? line[..^1] : line;
        if (raw.Length > MaxLineLength)
        {
            return Invalid(lineNumber, raw, ReasonCode.LineTooLong, $"line is {raw.Length} characters, more than {MaxLineLength}");
        }
        int control = IndexOfControl(raw);
        if (control >= 0)
        {
            return Invalid(lineNumber, raw, ReasonCode.ControlCharacter,
                $"control character 0x{(int)raw[control]:x2} at column {control + 1}; a key line must be one line of printable text");
        }
        int start = SkipBlanks(raw.AsSpan(), 0);
        if (start == raw.Length)
        {
            return new AuthorizedKeyLine(lineNumber, raw, AuthorizedKeyLineKind.Blank);
        }
        if (raw[start] == '#')
        {
            return new AuthorizedKeyLine(lineNumber, raw, AuthorizedKeyLineKind.Comment);
        }
        var foreign = RecogniseForeignFormat(raw.AsSpan(start));
        if (foreign is { } found)
        {
            return Invalid(lineNumber, raw, found.Reason, found.Message);
        }

        int firstEnd = EndOfToken(raw.AsSpan(), start);
        if (IsKeyTypeToken(raw.AsSpan(start, firstEnd - start)))
        {
            return ParseKey(lineNumber, raw, start, KeyOptions.Empty);
        }

        int optionsEnd = EndOfOptions(raw.AsSpan(), start);
        string optionsText = raw[start..optionsEnd];
        int keyStart = SkipBlanks(raw.AsSpan(), optionsEnd);
        bool optionsOk = KeyOptionsParser.TryParse(optionsText, out var options, out var optionsError);
        if (!optionsOk)
        {
            // "ssh-foo AAAA…": the first token sits where a key type goes, so say that rather than "bad option".
            bool looksLikeTypeThenBlob = raw.AsSpan(keyStart).StartsWith("AAAA", StringComparison.Ordinal) && !optionsText.Contains('=', StringComparison.Ordinal);
            if (looksLikeTypeThenBlob)
            {
                return Invalid(lineNumber, raw, ReasonCode.UnknownKeyType, $"unknown key type \"{SafeText.Escape(optionsText, SshPublicKeyDecoder.MaxShownLength)}\"", keyType: optionsText);
            }
            // sshd skips the line; the key after it is still reported (ssh-keygen -l fingerprints it too).
            var keyAfterBadOptions = keyStart < raw.Length ? ParseKey(lineNumber, raw, keyStart, KeyOptions.Empty) : null;
            return new AuthorizedKeyLine(lineNumber, raw, AuthorizedKeyLineKind.Invalid)
            {
                Error = ReasonCode.MalformedOptions,
                ErrorMessage = $"bad options \"{SafeText.Escape(optionsText, SshPublicKeyDecoder.MaxShownLength)}\": {optionsError}",
                KeyType = keyAfterBadOptions?.KeyType,
                Key = keyAfterBadOptions?.Key,
                Comment = keyAfterBadOptions?.Comment,
            };
        }
        if (keyStart == raw.Length)
        {
            return Invalid(lineNumber, raw, ReasonCode.MissingKey, "options but no key follow");
        }
        return ParseKey(lineNumber, raw, keyStart, options!);
    }

    /// <summary>Splits text into lines (LF or CRLF) and parses each; one bad line never stops the rest.</summary>
    public static List<AuthorizedKeyLine> ParseAll(string text)
    {
        var lines = new List<AuthorizedKeyLine>();
        int number = 0;
        for (int position = 0; position < text.Length;)
        {
            int newline = text.IndexOf('\n', position);
            int end = newline < 0 ? text.Length : newline;
            lines.Add(Parse(text[position..end], ++number));
            position = end + 1;
        }
        return lines;
    }

    /// <summary>
    /// Splits a line into its fields with the same grammar as <see cref="Parse"/>, but decodes and
    /// validates nothing: for text keyagentd wrote itself from keys it had already validated (the
    /// helper cache), where only the fields are needed. False for blank, comment and key-less lines.
    /// Ranges, not strings: the login helper runs this on every line of a cache on every attempt.
    /// </summary>
    /// <param name="options">The options field, or an empty range at the key type when there is none.</param>
    public static bool TrySplit(ReadOnlySpan<char> raw, out Range options, out Range keyType, out Range base64) =>
        TrySplitCore(raw, out options, out keyType, out base64);

    /// <summary>
    /// <see cref="TrySplit(ReadOnlySpan{char}, out Range, out Range, out Range)"/> on the UTF-8 bytes
    /// of a line: the same grammar (one implementation, generic over the code unit), whose
    /// delimiters are all ASCII, so a multi-byte character never ends or starts a field.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> raw, out Range options, out Range keyType, out Range base64) =>
        TrySplitCore(raw, out options, out keyType, out base64);

    private static bool TrySplitCore<T>(ReadOnlySpan<T> raw, out Range options, out Range keyType, out Range base64)
        where T : unmanaged, IBinaryInteger<T>
    {
        options = keyType = base64 = default;
        int start = SkipBlanks(raw, 0);
        if (start == raw.Length || raw[start] == T.CreateTruncating('#'))
        {
            return false;
        }
        int typeStart = start;
        options = start..start;
        if (!IsKnownKeyType(raw[start..EndOfToken(raw, start)]))
        {
            int optionsEnd = EndOfOptions(raw, start);
            options = start..optionsEnd;
            typeStart = SkipBlanks(raw, optionsEnd);
        }
        int typeEnd = EndOfToken(raw, typeStart);
        int blobStart = SkipBlanks(raw, typeEnd);
        int blobEnd = EndOfToken(raw, blobStart);
        keyType = typeStart..typeEnd;
        base64 = blobStart..blobEnd;
        return typeEnd != typeStart && blobEnd != blobStart;
    }

    private static bool IsKnownKeyType<T>(ReadOnlySpan<T> token) where T : unmanaged, IBinaryInteger<T> =>
        typeof(T) == typeof(char)
            ? SshKeyType.TryGet(MemoryMarshal.Cast<T, char>(token), out _)
            // Key type names are ASCII: a non-ASCII byte (as a non-ASCII character) never matches.
            : SshKeyType.IsName(MemoryMarshal.Cast<T, byte>(token));

    private static AuthorizedKeyLine ParseKey(int lineNumber, string raw, int typeStart, KeyOptions options)
    {
        int typeEnd = EndOfToken(raw.AsSpan(), typeStart);
        string keyType = raw[typeStart..typeEnd];
        int blobStart = SkipBlanks(raw.AsSpan(), typeEnd);
        if (blobStart == raw.Length)
        {
            return Invalid(lineNumber, raw, ReasonCode.MissingKey, $"\"{SafeText.Escape(keyType, SshPublicKeyDecoder.MaxShownLength)}\" is not followed by key data", keyType, options);
        }
        int blobEnd = EndOfToken(raw.AsSpan(), blobStart);
        int commentStart = SkipBlanks(raw.AsSpan(), blobEnd);
        string? comment = commentStart < raw.Length ? raw[commentStart..] : null;
        SshPublicKey key;
        bool signatureAlias = SshKeyType.TryGetSignatureAlias(keyType, out var aliasedType);
        try
        {
            var blob = raw.AsSpan(blobStart, blobEnd - blobStart);
            key = signatureAlias
                ? SshPublicKeyDecoder.Decode(aliasedType, SshPublicKeyDecoder.DecodeBase64(blob))
                : SshPublicKeyDecoder.Decode(keyType, blob);
        }
        catch (KeyFormatException e)
        {
            return Invalid(lineNumber, raw, e.Reason, e.Message, keyType, options, comment);
        }
        if (signatureAlias || key.BlobTypeAlias is not null)
        {
            return SignatureAliasLine(lineNumber, raw, (typeStart, typeEnd), (blobStart, blobEnd), signatureAlias ? keyType : null, key, options, comment);
        }
        return new AuthorizedKeyLine(lineNumber, raw, AuthorizedKeyLineKind.Key)
        {
            Options = options,
            KeyType = keyType,
            Key = key,
            Comment = comment,
        };
    }

    /// <summary>
    /// A line typed "rsa-sha2-256"/"rsa-sha2-512", or whose blob names itself so: sshd reads it as the
    /// ssh-rsa key it holds, but it is not an OpenSSH key line (other tools, and keyagentd's own
    /// output, use ssh-rsa). The key is kept (so `fingerprint` prints it as ssh-keygen does) and the
    /// fix is the same line with the type token and the blob written as ssh-rsa, every other byte as written.
    /// </summary>
    private static AuthorizedKeyLine SignatureAliasLine(int lineNumber, string raw, (int Start, int End) type, (int Start, int End) blob,
        string? aliasToken, SshPublicKey key, KeyOptions options, string? comment)
    {
        string what = aliasToken is not null
            ? $"\"{aliasToken}\" is an RSA signature algorithm, not a key type"
            : $"the key blob's own type is \"{key.BlobTypeAlias}\", an RSA signature algorithm, not a key type";
        return new(lineNumber, raw, AuthorizedKeyLineKind.Invalid)
        {
            Error = ReasonCode.NeedsConversion,
            ErrorMessage = $"{what}; sshd reads this key as {key.TypeName}, write it as the {key.TypeName} line shown",
            KeyType = raw[type.Start..type.End],
            Key = key,
            Options = options,
            Comment = comment,
            Suggestion = $"{raw[..type.Start]}{key.TypeName}{raw[type.End..blob.Start]}{key.Base64}{raw[blob.End..]}".TrimStart(' ', '\t'),
        };
    }

    private static bool IsKeyTypeToken(ReadOnlySpan<char> token) =>
        SshKeyType.TryGet(token, out _) || SshKeyType.TryGetSignatureAlias(token, out _);

    private static AuthorizedKeyLine Invalid(int lineNumber, string raw, ReasonCode reason, string message,
        string? keyType = null, KeyOptions? options = null, string? comment = null) =>
        new(lineNumber, raw, AuthorizedKeyLineKind.Invalid)
        {
            Error = reason,
            ErrorMessage = message,
            KeyType = keyType,
            Options = options ?? KeyOptions.Empty,
            Comment = comment,
        };

    /// <summary>Things people paste instead of a public key line (the seed guides' most common lock-outs).</summary>
    private static (ReasonCode Reason, string Message)? RecogniseForeignFormat(ReadOnlySpan<char> text)
    {
        if (text.StartsWith("-----BEGIN ", StringComparison.Ordinal) && text.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return (ReasonCode.PrivateKey, "this is a PRIVATE key: never copy it to a server; use the .pub file (and consider this key compromised)");
        }
        if (text.StartsWith("PuTTY-User-Key-File-", StringComparison.Ordinal))
        {
            return (ReasonCode.PrivateKey, "this is a PuTTY private key (.ppk): never copy it to a server; in PuTTYgen copy the box \"Public key for pasting into OpenSSH authorized_keys file\"");
        }
        if (text.StartsWith("---- BEGIN SSH2 PUBLIC KEY ----", StringComparison.Ordinal) || text.StartsWith("---- END SSH2 PUBLIC KEY ----", StringComparison.Ordinal))
        {
            return (ReasonCode.NeedsConversion, "RFC 4716 (PuTTYgen \"Save public key\") format, which sshd cannot read; convert it to one OpenSSH line");
        }
        return null;
    }

    /// <summary>Every C0 control except tab, and DEL: vectorised, as it looks at every character of every line.</summary>
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f");

    private static int IndexOfControl(string raw) => raw.AsSpan().IndexOfAny(ControlCharacters);

    private static int SkipBlanks<T>(ReadOnlySpan<T> s, int i) where T : unmanaged, IBinaryInteger<T>
    {
        while (i < s.Length && (s[i] == T.CreateTruncating(' ') || s[i] == T.CreateTruncating('\t')))
        {
            i++;
        }
        return i;
    }

    /// <summary>The first blank at or after i (vectorised: a key blob is hundreds of characters).</summary>
    private static int EndOfToken<T>(ReadOnlySpan<T> s, int i) where T : unmanaged, IBinaryInteger<T>
    {
        int blank = s[i..].IndexOfAny(T.CreateTruncating(' '), T.CreateTruncating('\t'));
        return blank < 0 ? s.Length : i + blank;
    }

    /// <summary>
    /// sshkey_advance_past_options: blanks inside double quotes do not end the field; \" does not
    /// toggle. A backslash only ever escapes a quote, so a quote is escaped exactly when the
    /// character before it is a backslash, and the field can be crossed in vectorised jumps from
    /// one blank or quote to the next (the login helper reads every option of every cache line).
    /// </summary>
    private static int EndOfOptions<T>(ReadOnlySpan<T> s, int i) where T : unmanaged, IBinaryInteger<T>
    {
        T space = T.CreateTruncating(' '), tab = T.CreateTruncating('\t'), quote = T.CreateTruncating('"'), backslash = T.CreateTruncating('\\');
        int start = i;
        bool quoted = false;
        while (i < s.Length)
        {
            int next = quoted ? s[i..].IndexOf(quote) : s[i..].IndexOfAny(space, tab, quote);
            if (next < 0)
            {
                return s.Length;
            }
            i += next;
            if (s[i] != quote)
            {
                return i;
            }
            if (i == start || s[i - 1] != backslash)
            {
                quoted = !quoted;
            }
            i++;
        }
        return i;
    }
}
