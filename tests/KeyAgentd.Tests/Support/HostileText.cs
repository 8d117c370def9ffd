using System.Text;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// An authorized_keys file whose comments and tokens carry what a terminal acts on, and the byte-level
/// check that a command's output carries none of it raw.
/// </summary>
internal static class HostileText
{
    /// <summary>
    /// Lines a user could write: ESC with an OSC title sequence, C1 CSI (U+009B) and NEL (U+0085) as
    /// UTF-8, U+2028/2029, the same C1 controls as raw 8-bit bytes, and C1 in a type token and in options.
    /// </summary>
    public static byte[] AuthorizedKeys(string key)
    {
        string blob = key.Split(' ')[1];
        var text = new StringBuilder()
            .Append(key.Split(' ')[0]).Append(' ').Append(blob).Append(" esc\u001b]0;pwned\u0007\n")
            .Append(key.Split(' ')[0]).Append(' ').Append(blob).Append(" csi\u009b2J nel\u0085 ls\u2028ps\u2029end\n")
            .Append("ssh-ed25519\u009b ").Append(blob).Append('\n')
            .Append("no-pty\u009b,\u2028 ").Append(key).Append('\n');
        byte[] eightBit = [.. Encoding.ASCII.GetBytes(key.Split(' ')[0] + " " + blob + " raw"), 0x9b, (byte)'2', (byte)'J', 0x85, (byte)'\n'];
        return [.. Encoding.UTF8.GetBytes(text.ToString()), .. eightBit];
    }

    /// <summary>
    /// Fails if <paramref name="output"/> holds a raw C0 control other than LF, DEL, a C1 control (as
    /// UTF-8 or as a raw 8-bit byte, which is not valid UTF-8) or U+2028/2029. Written out rather than
    /// using SafeText.IsControl, the predicate under test.
    /// </summary>
    public static void AssertInert(byte[] output)
    {
        Assert.NotEmpty(output);
        string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(output);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool raw = (c < 0x20 && c != '\n') || c is >= '\u007f' and <= '\u009f' || c is '\u2028' or '\u2029';
            Assert.False(raw, $"raw U+{(int)c:X4} at character {i} of:\n{text}");
        }
    }

    /// <summary>What a command wrote to a UTF-8 writer, as the bytes a terminal would receive.</summary>
    public static byte[] Capture(Action<TextWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(false), leaveOpen: true))
        {
            write(writer);
        }
        return buffer.ToArray();
    }
}
