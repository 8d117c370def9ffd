using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Core.HelperCache;

/// <summary>
/// Which lines of a helper cache keyagentd-keys serves: key lines of sound shape (base64 whose blob
/// names the line's own key type) that have not expired. The cache holds keys the daemon validated,
/// so lines are only split into fields and checked for shape, not decoded: sshd validates whatever
/// it is given anyway. The helper applies this on every login it cannot answer from the
/// <see cref="CacheIndex"/>; the daemon applies it before it writes an index that lets the helper skip it.
/// Everything works on UTF-8 bytes and allocates nothing per line.
/// </summary>
public static class CacheLine
{
    /// <summary>The fields of a line with a key of sound shape, or false (blank, comment or damaged line).</summary>
    public static bool TrySplitSound(ReadOnlySpan<byte> line, out Range options, out Range base64)
    {
        base64 = default;
        return AuthorizedKeyLineParser.TrySplit(line, out options, out var keyType, out base64) && HasKeyShape(line[keyType], line[base64]);
    }

    /// <summary>
    /// An options field carrying an expiry-time that has passed at <paramref name="now"/>, or one
    /// that cannot be read (sshd would refuse the line). An expiry-time without 'Z' is read in the
    /// host's zone, as sshd reads it; the zone is asked for only when a field names expiry-time, as
    /// loading it reads /etc/localtime, a cost most logins never pay.
    /// </summary>
    public static bool IsExpired(ReadOnlySpan<byte> options, DateTimeOffset now, Func<TimeZoneInfo> localZone) =>
        ContainsExpiryTime(options) &&
        (!KeyOptionsParser.TryGetExpiryTime(options, localZone(), out var earliest) || earliest <= now);

    /// <summary>
    /// The earliest instant at which the field's expiry-time can pass in any zone (a local time is
    /// UTC minus at most 14 hours), null when it has none; false when it cannot be read.
    /// </summary>
    public static bool TryGetEarliestPossibleExpiry(ReadOnlySpan<byte> options, out DateTimeOffset? earliest)
    {
        earliest = null;
        if (!ContainsExpiryTime(options))
        {
            return true;
        }
        if (!KeyOptionsParser.TryGetExpiryTime(options, TimeZoneInfo.Utc, out var asUtc))
        {
            return false;
        }
        earliest = asUtc is { } at && at > DateTimeOffset.MinValue + MaxUtcOffset ? at - MaxUtcOffset : asUtc is null ? null : DateTimeOffset.MinValue;
        return true;
    }

    /// <summary>The largest offset any zone has from UTC (Line Islands, +14:00).</summary>
    private static readonly TimeSpan MaxUtcOffset = TimeSpan.FromHours(14);

    private static readonly SearchValues<byte> s_base64Letters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);

    /// <summary>Room for the decoded head of any blob: its length field and the longest key type name.</summary>
    private const int HeadBytes = 96;

    /// <summary>
    /// Valid base64 (what <see cref="Base64.DecodeFromUtf8"/> accepts whole) whose decoded blob
    /// starts with the line's own key type. Only the head is decoded, for the type; the rest is
    /// checked against the alphabet in one vectorised scan, as a certificate or an RSA-16384 key is
    /// kilobytes of characters that nothing here needs decoded.
    /// </summary>
    private static bool HasKeyShape(ReadOnlySpan<byte> keyType, ReadOnlySpan<byte> base64)
    {
        Span<byte> head = stackalloc byte[HeadBytes];
        return IsWellFormedBase64(base64, head)
            ? StartsWithType(base64, keyType, head)
            // A field can hold a stray CR, which Convert's decoder skips as white space: its rules, as before.
            : base64.Contains((byte)'\r') && IsTypedBlobWithCr(keyType, base64);
    }

    /// <summary>Whole quanta; letters of the alphabet up to the last one, which the runtime's decoder checks (padding, and the unused bits it must leave zero).</summary>
    private static bool IsWellFormedBase64(ReadOnlySpan<byte> base64, Span<byte> scratch) =>
        base64.Length >= 4 && base64.Length % 4 == 0 && !base64[..^4].ContainsAnyExcept(s_base64Letters) &&
        Base64.DecodeFromUtf8(base64[^4..], scratch, out _, out _) == OperationStatus.Done;

    /// <summary>Decodes just the quanta that hold the blob's length field and a name as long as the line's type.</summary>
    private static bool StartsWithType(ReadOnlySpan<byte> base64, ReadOnlySpan<byte> keyType, Span<byte> head)
    {
        if (keyType.Length > HeadBytes - 4)
        {
            return false;
        }
        int chars = Math.Min(base64.Length, (4 + keyType.Length + 2) / 3 * 4);
        return Base64.DecodeFromUtf8(base64[..chars], head, out _, out int written, isFinalBlock: chars == base64.Length) == OperationStatus.Done &&
            IsTypedBlob(head[..written], keyType);
    }

    private static bool IsTypedBlobWithCr(ReadOnlySpan<byte> keyType, ReadOnlySpan<byte> base64)
    {
        var whole = new byte[base64.Length];
        return Convert.TryFromBase64Chars(Encoding.UTF8.GetString(base64), whole, out int decoded) && IsTypedBlob(whole.AsSpan(0, decoded), keyType);
    }

    private static bool IsTypedBlob(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> keyType) =>
        blob.Length >= 4 && BinaryPrimitives.ReadInt32BigEndian(blob) is int length &&
        length == keyType.Length && length <= blob.Length - 4 && Ascii.Equals(blob.Slice(4, length), keyType);

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
}
