using System.Text;

namespace KeyAgentd.Core;

/// <summary>
/// Makes untrusted text (registry strings, raw file lines, a user's key comment) safe to put in one
/// line of a report, a log or a diff: control characters are escaped so a value can never forge a
/// second line or drive the reader's terminal, and the length is capped so one huge value cannot
/// flood the output. The one escaper for human-facing text; <see cref="SafeJsonEncoder"/> applies
/// the same <see cref="IsControl"/> to JSON output.
/// </summary>
public static class SafeText
{
    public static string Escape(ReadOnlySpan<char> text, int maxLength = int.MaxValue)
    {
        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (char c in text)
        {
            switch (c)
            {
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case var _ when IsControl(c):
                    builder.Append(c <= 0xff ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
            if (builder.Length > maxLength)
            {
                break;
            }
        }
        if (builder.Length > maxLength)
        {
            // The ellipsis says the text was cut, so a reader never mistakes a prefix for the whole value.
            builder.Length = Math.Max(0, maxLength - 1);
            builder.Append('…');
        }
        return builder.ToString();
    }

    /// <summary>C0, DEL, C1 and the Unicode line/paragraph separators: anything a terminal or log reader may treat as layout.</summary>
    public static bool IsControl(char c) => c < ' ' || c is >= (char)0x7f and <= (char)0x9f || c is '\u2028' or '\u2029';

    public static bool ContainsControl(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (IsControl(c))
            {
                return true;
            }
        }
        return false;
    }
}
