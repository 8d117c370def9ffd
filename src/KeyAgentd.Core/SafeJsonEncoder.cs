using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace KeyAgentd.Core;

/// <summary>
/// JSON string escaping that escapes what JSON and terminals require and nothing else: C0, DEL, C1
/// and U+2028/2029 (<see cref="SafeText.IsControl"/>), the quote and the backslash. The default
/// encoder also escapes '+', '&lt;', '\'' and every non-ASCII character, which turns a key's base64
/// blob into text `grep -F` cannot find and a user's name into \u sequences. A record written with
/// this encoder is still one line: no raw line break can appear in it. Invalid UTF-16 (a lone
/// surrogate) never reaches the output raw: the framework writes U+FFFD in its place.
/// </summary>
public sealed class SafeJsonEncoder : JavaScriptEncoder
{
    public static SafeJsonEncoder Instance { get; } = new();

    private SafeJsonEncoder()
    {
    }

    /// <summary>"\uXXXX", the longest form written for one UTF-16 unit.</summary>
    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar is '"' or '\\' || (unicodeScalar <= char.MaxValue && (SafeText.IsControl((char)unicodeScalar) || char.IsSurrogate((char)unicodeScalar)));

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var span = new ReadOnlySpan<char>(text, textLength);
        for (int i = 0; i < span.Length; i++)
        {
            char c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
                continue;
            }
            if (c is '"' or '\\' || SafeText.IsControl(c) || char.IsSurrogate(c))
            {
                return i;
            }
        }
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var destination = new Span<char>(buffer, bufferLength);
        if (!WillEncode(unicodeScalar))
        {
            return new Rune(unicodeScalar).TryEncodeToUtf16(destination, out numberOfCharactersWritten);
        }
        // The short forms JSON defines where they exist, so a record stays readable; \uXXXX otherwise.
        string escaped = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ => "\\u" + unicodeScalar.ToString("X4", CultureInfo.InvariantCulture),
        };
        numberOfCharactersWritten = 0;
        if (!escaped.TryCopyTo(destination))
        {
            return false;
        }
        numberOfCharactersWritten = escaped.Length;
        return true;
    }
}
