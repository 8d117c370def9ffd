using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The helper's whole job: print USER's keys from the daemon's cache (state-dir/keys/USER).
/// Anything it cannot vouch for — unknown or odd user, malformed fingerprint, missing, oversized
/// or non-regular cache file — prints nothing and exits 0, which sshd reads as "no keys here".
/// With <c>--then</c> another AuthorizedKeysCommand runs afterwards, whatever became of ours.
/// </summary>
public static class KeysCommandProgram
{
    public const string DefaultStateDirectory = "/var/lib/keyagentd";
    public const string StateDirectoryVariable = "KEYAGENTD_State__Directory";
    public const int ExitOk = 0;
    public const int ExitUsage = 2;

    public static int Run(IReadOnlyList<string> args, Stream output, TextWriter error, Func<string, string?> environment, TimeProvider time)
    {
        var parsed = KeysCommandArguments.TryParse(args, out string? usageError);
        if (parsed is null)
        {
            error.WriteLine($"keyagentd-keys: {usageError}");
            error.WriteLine(KeysCommandArguments.Usage);
            return ExitUsage;
        }
        WriteOwnKeys(parsed, output, error, environment, time);
        // The other command's lines, if it earns them, after ours.
        parsed.Then?.Run(output, error);
        return ExitOk;
    }

    private static void WriteOwnKeys(KeysCommandArguments parsed, Stream output, TextWriter error, Func<string, string?> environment, TimeProvider time)
    {
        if (!AccountName.IsValid(parsed.User))
        {
            return;
        }
        if (parsed.Fingerprint is { } wanted && !Fingerprint.IsSha256(wanted))
        {
            return;
        }
        string stateDirectory = parsed.StateDirectory
            ?? (environment(StateDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultStateDirectory);
        string path = Path.Combine(stateDirectory, "keys", parsed.User);

        using var read = CacheFileReader.Read(path);
        if (read.Bytes is not { } bytes)
        {
            if (read.Problem is { } problem)
            {
                error.WriteLine($"keyagentd-keys: {path}: {problem}");
            }
            return;
        }
        WriteKeyLines(bytes.Span, parsed.Fingerprint, time, output);
    }

    /// <summary>
    /// Writes the key lines as the daemon wrote them, minus those already expired (and, with a
    /// fingerprint, all but that key). The cache holds keys the daemon validated, so lines are only
    /// split into fields and checked for shape (base64, and the blob's inner type is the line's), not
    /// decoded: sshd validates whatever it is given anyway, and this runs on every login attempt, so
    /// it works on the bytes it read (never a UTF-16 copy), allocates nothing per line and writes
    /// each line's own bytes to <paramref name="output"/> (which the caller buffers).
    /// </summary>
    public static void WriteKeyLines(ReadOnlySpan<byte> cache, string? fingerprint, TimeProvider time, Stream output)
    {
        var now = time.GetUtcNow();
        while (!cache.IsEmpty)
        {
            int newline = cache.IndexOf((byte)'\n');
            var line = newline < 0 ? cache : cache[..newline];
            cache = newline < 0 ? default : cache[(newline + 1)..];
            var raw = line.TrimEnd((byte)'\r');
            if (!AuthorizedKeyLineParser.TrySplit(raw, out var options, out var keyType, out var base64) ||
                !HasKeyShape(raw[keyType], raw[base64]) ||
                IsExpired(raw[options], now, time) ||
                (fingerprint is not null && !MatchesFingerprint(raw[base64], fingerprint)))
            {
                continue;
            }
            output.Write(raw);
            output.WriteByte((byte)'\n');
        }
    }

    private static readonly SearchValues<byte> s_base64Letters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);

    /// <summary>Room for the decoded head of any blob: its length field and the longest key type name.</summary>
    private static readonly byte[] s_head = new byte[96];

    /// <summary>
    /// Valid base64 (what <see cref="Base64.DecodeFromUtf8"/> accepts whole) whose decoded blob
    /// starts with the line's own key type (a damaged cache line is skipped). Only the head is
    /// decoded, for the type; the rest is checked against the alphabet in one vectorised scan, as a
    /// certificate or an RSA-16384 key is kilobytes of characters that nothing here needs decoded.
    /// </summary>
    private static bool HasKeyShape(ReadOnlySpan<byte> keyType, ReadOnlySpan<byte> base64) =>
        IsWellFormedBase64(base64)
            ? StartsWithType(base64, keyType)
            // A field can hold a stray CR, which Convert's decoder skips as white space: its rules, as before.
            : base64.Contains((byte)'\r') && IsTypedBlobWithCr(keyType, base64);

    /// <summary>Whole quanta; letters of the alphabet up to the last one, which the runtime's decoder checks (padding, and the unused bits it must leave zero).</summary>
    private static bool IsWellFormedBase64(ReadOnlySpan<byte> base64) =>
        base64.Length >= 4 && base64.Length % 4 == 0 && !base64[..^4].ContainsAnyExcept(s_base64Letters) &&
        Base64.DecodeFromUtf8(base64[^4..], s_head, out _, out _) == OperationStatus.Done;

    /// <summary>Decodes just the quanta that hold the blob's length field and a name as long as the line's type.</summary>
    private static bool StartsWithType(ReadOnlySpan<byte> base64, ReadOnlySpan<byte> keyType)
    {
        if (keyType.Length > s_head.Length - 4)
        {
            return false;
        }
        int chars = Math.Min(base64.Length, (4 + keyType.Length + 2) / 3 * 4);
        return Base64.DecodeFromUtf8(base64[..chars], s_head, out _, out int written, isFinalBlock: chars == base64.Length) == OperationStatus.Done &&
            IsTypedBlob(s_head.AsSpan(0, written), keyType);
    }

    private static bool IsTypedBlobWithCr(ReadOnlySpan<byte> keyType, ReadOnlySpan<byte> base64)
    {
        var whole = new byte[base64.Length];
        return Convert.TryFromBase64Chars(Encoding.UTF8.GetString(base64), whole, out int decoded) && IsTypedBlob(whole.AsSpan(0, decoded), keyType);
    }

    private static bool IsTypedBlob(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> keyType) =>
        blob.Length >= 4 && BinaryPrimitives.ReadInt32BigEndian(blob) is int length &&
        length == keyType.Length && length <= blob.Length - 4 && Ascii.Equals(blob.Slice(4, length), keyType);

    /// <summary>
    /// An expiry-time without 'Z' is read in the host's zone, as sshd reads it. The zone is asked for
    /// only here: loading it reads /etc/localtime, a cost most logins (no expiry-time) never pay.
    /// </summary>
    private static bool IsExpired(ReadOnlySpan<byte> options, DateTimeOffset now, TimeProvider time) =>
        ContainsExpiryTime(options) &&
        (!KeyOptionsParser.TryGetExpiryTime(options, time.LocalTimeZone, out var earliest) || earliest <= now);

    private static ReadOnlySpan<byte> ExpiryTimeName => "expiry-time"u8;

    /// <summary>Whether the field names expiry-time in any case, as string.Contains(OrdinalIgnoreCase) on its text.</summary>
    private static bool ContainsExpiryTime(ReadOnlySpan<byte> options)
    {
        if (options.Length < ExpiryTimeName.Length)
        {
            return false;
        }
        if (!Ascii.IsValid(options))
        {
            // Case-insensitive matching beyond ASCII: as the text it decodes to.
            return Encoding.UTF8.GetString(options).Contains("expiry-time", StringComparison.OrdinalIgnoreCase);
        }
        for (int i = 0; i <= options.Length - ExpiryTimeName.Length; i++)
        {
            int next = options[i..].IndexOfAny((byte)'e', (byte)'E');
            if (next < 0)
            {
                return false;
            }
            i += next;
            if (i + ExpiryTimeName.Length <= options.Length && Ascii.EqualsIgnoreCase(options.Slice(i, ExpiryTimeName.Length), ExpiryTimeName))
            {
                return true;
            }
        }
        return false;
    }

    private static bool MatchesFingerprint(ReadOnlySpan<byte> base64, string fingerprint) =>
        string.Equals(Fingerprint.Sha256(Convert.FromBase64String(Encoding.ASCII.GetString(base64))), fingerprint, StringComparison.Ordinal);
}
