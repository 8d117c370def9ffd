using System.Globalization;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// An inclusive range of certificate serials one CA issued (PROTOCOL.krl KRL_SECTION_CERT_SERIAL_RANGE),
/// written "42" or "10-20". Never 0: serial 0 is what a CA writes when it numbers nothing, and krl.c
/// neither revokes nor matches it (ssh_krl_revoke_cert_by_serial_range refuses it).
/// </summary>
public readonly record struct SerialRange(ulong First, ulong Last)
{
    public bool Contains(ulong serial) => serial >= First && serial <= Last;

    public override string ToString() => First == Last
        ? First.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");

    /// <summary>Reads "N" or "LO-HI" (decimal, 1 to 18446744073709551615, LO ≤ HI); otherwise says why not.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SerialRange range, out string problem)
    {
        range = default;
        int dash = text.IndexOf('-');
        ReadOnlySpan<char> first = dash < 0 ? text : text[..dash];
        ReadOnlySpan<char> last = dash < 0 ? text : text[(dash + 1)..];
        if (!TryParseSerial(first, out ulong lo) || !TryParseSerial(last, out ulong hi))
        {
            problem = $"\"{SafeText.Escape(text, 60)}\" is not a serial (a decimal number) or a range of serials (LOW-HIGH)";
            return false;
        }
        if (lo == 0 || hi == 0)
        {
            problem = "serial 0 cannot be revoked: it is what a CA writes when it numbers nothing, and sshd never matches it; revoke by key-id instead";
            return false;
        }
        if (lo > hi)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"the range {lo}-{hi} runs backwards; write {hi}-{lo}");
            return false;
        }
        range = new SerialRange(lo, hi);
        problem = "";
        return true;
    }

    /// <summary>Plain decimal digits only: no sign, no spaces, no hex, nothing a reviewer could misread.</summary>
    private static bool TryParseSerial(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        return digits.Length is > 0 and <= 20 && !digits.ContainsAnyExceptInRange('0', '9')
            && ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Sorted, with overlapping and adjacent ranges joined: one canonical form for the same set of serials.</summary>
    public static List<SerialRange> Merge(IEnumerable<SerialRange> ranges)
    {
        var merged = new List<SerialRange>();
        foreach (var range in ranges.OrderBy(r => r.First).ThenBy(r => r.Last))
        {
            if (merged.Count > 0 && (merged[^1].Last == ulong.MaxValue || range.First <= merged[^1].Last + 1))
            {
                merged[^1] = merged[^1] with { Last = Math.Max(merged[^1].Last, range.Last) };
            }
            else
            {
                merged.Add(range);
            }
        }
        return merged;
    }
}
