using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Cli;

/// <summary>
/// Lines of a text stream split at LF only, as <see cref="AuthorizedKeyLineParser.ParseAll"/> splits
/// them (a CR stays on the line for the parser to judge), one at a time, so memory is flat in the
/// input size. A line longer than the parser accepts is cut to just over its limit: the parser
/// rejects it all the same, and a file with no newline cannot make us hold all of it.
/// </summary>
internal static class LineReader
{
    /// <summary>Two over the parser's limit: one for a CR it would strip, one to stay over the limit.</summary>
    private const int MaxKept = AuthorizedKeyLineParser.MaxLineLength + 2;

    public static IEnumerable<string> ReadLines(TextReader reader)
    {
        var buffer = new char[1 << 16];
        var pending = new System.Text.StringBuilder();
        bool overflowed = false;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            while (start < read)
            {
                int newline = buffer.AsSpan(start, read - start).IndexOf('\n');
                int end = newline < 0 ? read : start + newline;
                if (pending.Length == 0 && newline >= 0 && !overflowed)
                {
                    yield return new string(buffer, start, Math.Min(end - start, MaxKept));
                }
                else
                {
                    int room = MaxKept - pending.Length;
                    pending.Append(buffer, start, Math.Min(end - start, Math.Max(room, 0)));
                    overflowed |= end - start > room;
                    if (newline >= 0)
                    {
                        yield return pending.ToString();
                        pending.Clear();
                        overflowed = false;
                    }
                }
                start = end + 1;
            }
        }
        if (pending.Length > 0 || overflowed)
        {
            yield return pending.ToString();
        }
    }
}
