namespace KeyAgentd.Core.Planning;

/// <summary>
/// Where keyagentd's block sits in a file, as character offsets so everything around it can be
/// kept byte for byte. Anything other than zero or one well-formed block is a
/// <see cref="Problem"/>: guessing which lines are ours could delete the user's keys.
/// </summary>
internal readonly record struct ManagedBlock(bool Found, int Start, int End, int ContentStart, int ContentEnd, string? Problem)
{
    public static ManagedBlock Find(string text)
    {
        int begin = -1, contentStart = -1, contentEnd = -1, end = -1;
        for (int position = 0; position < text.Length;)
        {
            int newline = text.IndexOf('\n', position);
            int lineEnd = newline < 0 ? text.Length : newline;
            int next = newline < 0 ? text.Length : newline + 1;
            string content = text[position..lineEnd].Trim(' ', '\t', '\r');
            if (content == AuthorizedKeysRenderer.BeginMarker)
            {
                if (begin >= 0)
                {
                    return Damaged(end >= 0 ? "more than one keyagentd block" : "\"# BEGIN keyagentd\" appears twice without \"# END keyagentd\" between");
                }
                begin = position;
                contentStart = next;
            }
            else if (content == AuthorizedKeysRenderer.EndMarker)
            {
                if (begin < 0 || end >= 0)
                {
                    return Damaged("\"# END keyagentd\" without a matching \"# BEGIN keyagentd\" before it");
                }
                contentEnd = position;
                end = next;
            }
            position = next;
        }
        if (begin >= 0 && end < 0)
        {
            return Damaged("\"# BEGIN keyagentd\" without \"# END keyagentd\"");
        }
        return begin < 0 ? default : new ManagedBlock(true, begin, end, contentStart, contentEnd, null);
    }

    private static ManagedBlock Damaged(string problem) =>
        new(false, 0, 0, 0, 0, $"the managed block is damaged ({problem}); fix the markers by hand, the file is left as it is");
}
