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
        if (parsed.Then is { } then)
        {
            // Ours first and on the wire before the other command writes to the same stdout.
            output.Flush();
            then.Run(error);
        }
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

        var read = CacheFileReader.Read(path);
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
    private static byte[] s_blob = new byte[4096];

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

    /// <summary>Valid base64 whose decoded blob starts with the line's own key type (a damaged cache line is skipped).</summary>
    private static bool HasKeyShape(ReadOnlySpan<byte> keyType, ReadOnlySpan<byte> base64)
    {
        // Decoding checks every character (the runtime's decoder is vectorised); a certificate or
        // an RSA-16384 key is a few kilobytes, so one reused buffer holds any line's blob.
        var blob = s_blob.Length >= base64.Length ? s_blob : (s_blob = new byte[base64.Length]);
        int written;
        if (base64.Contains((byte)'\r'))
        {
            // Convert's decoder skips white space and a field can only hold a stray CR: its rules, as before.
            if (!Convert.TryFromBase64Chars(Encoding.UTF8.GetString(base64), blob, out written))
            {
                return false;
            }
        }
        else if (base64.Length % 4 != 0 ||
            Base64.DecodeFromUtf8(base64, blob, out _, out written) != OperationStatus.Done)
        {
            return false;
        }
        if (written < 4)
        {
            return false;
        }
        int length = BinaryPrimitives.ReadInt32BigEndian(blob);
        return length == keyType.Length && length <= written - 4 && Ascii.Equals(blob.AsSpan(4, length), keyType);
    }

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
