using System.Globalization;
using System.Text;

namespace KeyAgentd.Core.HelperCache;

/// <summary>
/// The first line of every helper cache keyagentd writes:
/// <c>#keyagentd-cache v1 length=N whole-until=T</c>. It vouches that every key line of the N
/// bytes after it passes <see cref="CacheLine"/> (sound shape) and that none can expire before
/// unix time T (or <c>never</c>; 0 when some line would not be served). keyagentd-keys, asked for
/// all of a user's keys before T, then writes those N bytes as they are instead of judging each
/// line: a user with thousands of keys costs what <c>cat</c> costs. A file that is not N bytes
/// after the line, or a later time, a fingerprint or no index at all, takes the line-by-line path,
/// which gives the same keys (comment lines aside, which sshd skips).
/// The index is a comment to every other reader; the planner reads the keys after it.
/// </summary>
public readonly record struct CacheIndex(long Length, DateTimeOffset? WholeUntil)
{
    /// <summary>"v1": a change to what <see cref="CacheLine"/> serves changes this, so every cache is rewritten once.</summary>
    public const string Prefix = "#keyagentd-cache v1 ";

    private static ReadOnlySpan<byte> PrefixUtf8 => "#keyagentd-cache v1 "u8;

    /// <summary>Longer than any index line: a first line past this is not one.</summary>
    private const int MaxLineLength = 96;

    /// <summary>Whether the whole body may be served as it is at <paramref name="now"/>.</summary>
    public bool CoversWhole(ReadOnlySpan<byte> body, DateTimeOffset now) =>
        body.Length == Length && (WholeUntil is not { } until || now < until);

    /// <summary>The cache file keyagentd writes for these keys: the index line that vouches for them, then the keys.</summary>
    public static byte[] FileFor(string keys)
    {
        byte[] body = Encoding.UTF8.GetBytes(keys);
        return [.. Encoding.ASCII.GetBytes(Render(For(body))), .. body];
    }

    /// <summary>Judges every line as the helper would, so the index can vouch for them.</summary>
    public static CacheIndex For(ReadOnlySpan<byte> body)
    {
        long length = body.Length;
        DateTimeOffset? until = null;
        while (!body.IsEmpty)
        {
            int newline = body.IndexOf((byte)'\n');
            var line = newline < 0 ? body : body[..newline];
            body = newline < 0 ? default : body[(newline + 1)..];
            var text = line.TrimStart(" \t"u8);
            if (text.IsEmpty || text[0] == (byte)'#')
            {
                continue;
            }
            // A CR, a damaged line or an unreadable expiry-time: the helper would drop or alter the
            // line, so the body is never served whole (0, the past).
            if (line.Contains((byte)'\r') || !CacheLine.TrySplitSound(line, out var options, out _) ||
                !CacheLine.TryGetEarliestPossibleExpiry(line[options], out var expiry))
            {
                return new CacheIndex(length, DateTimeOffset.UnixEpoch);
            }
            if (expiry is { } at && (until is null || at < until))
            {
                until = at;
            }
        }
        return new CacheIndex(length, until);
    }

    public static string Render(CacheIndex index) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}length={index.Length} whole-until={(index.WholeUntil is { } until ? Math.Max(0, until.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture) : "never")}\n");

    /// <summary>The body after an index line, or the whole text and false when there is none.</summary>
    public static bool TrySplit(string text, out string body)
    {
        body = text;
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline < 0)
        {
            return false;
        }
        body = text[(newline + 1)..];
        return true;
    }

    /// <summary>Reads the index line at the start of <paramref name="file"/>; false when there is none or it is malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> file, out CacheIndex index, out int bodyStart)
    {
        index = default;
        bodyStart = 0;
        if (!file.StartsWith(PrefixUtf8))
        {
            return false;
        }
        var head = file[..Math.Min(file.Length, MaxLineLength)];
        int newline = head.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return false;
        }
        var fields = head[PrefixUtf8.Length..newline];
        if (!TryField(ref fields, "length="u8, out var lengthText) || !TryField(ref fields, "whole-until="u8, out var untilText) || !fields.IsEmpty ||
            !TryNumber(lengthText, out long length))
        {
            return false;
        }
        DateTimeOffset? until = null;
        if (!untilText.SequenceEqual("never"u8))
        {
            if (!TryNumber(untilText, out long seconds) || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                return false;
            }
            until = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        index = new CacheIndex(length, until);
        bodyStart = newline + 1;
        return true;
    }

    /// <summary>"name=value" up to the next space (which is consumed) or the end.</summary>
    private static bool TryField(ref ReadOnlySpan<byte> fields, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!fields.StartsWith(name))
        {
            return false;
        }
        var rest = fields[name.Length..];
        int space = rest.IndexOf((byte)' ');
        value = space < 0 ? rest : rest[..space];
        fields = space < 0 ? default : rest[(space + 1)..];
        return true;
    }

    /// <summary>Plain decimal digits, no sign, at most 18 of them.</summary>
    private static bool TryNumber(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 18)
        {
            return false;
        }
        foreach (byte digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            value = value * 10 + (digit - '0');
        }
        return true;
    }
}
