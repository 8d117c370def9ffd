using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// An account switched from exclusive to managed-block: its file still starts with the exclusive
/// header and has no block. Only keyagentd's own lines become the block; every other line was added
/// by the user since the last exclusive sync and is kept, byte for byte, outside it. "Ours" means a
/// key keyagentd last wrote, which the helper cache records exactly. Without that record nothing
/// tells the lines apart, and the whole file is taken as ours (as an exclusive file promised).
/// </summary>
internal static class ExclusiveAdoption
{
    public static bool Applies(string text, ManagedBlock block) =>
        !block.Found && block.Problem is null && FirstLine(text) == AuthorizedKeysRenderer.ExclusiveHeader;

    /// <returns><c>Ours</c>: the lines to compare with the registry; <c>Theirs</c>: the user's lines, to keep.</returns>
    public static (string Ours, string Theirs, string? Note) Split(string text, string? lastWritten)
    {
        if (lastWritten is null)
        {
            return (text, "", "no record of the keys keyagentd wrote (no helper cache): the whole exclusive file was taken as keyagentd's");
        }
        var written = new HashSet<SshPublicKey>();
        foreach (var line in AuthorizedKeyLineParser.ParseAll(lastWritten))
        {
            if (line.Kind == AuthorizedKeyLineKind.Key)
            {
                written.Add(line.Key!);
            }
        }
        var ours = new StringBuilder();
        var theirs = new StringBuilder();
        foreach (var line in AuthorizedKeyLineParser.ParseAll(text))
        {
            if (line.Kind == AuthorizedKeyLineKind.Blank || AuthorizedKeysRenderer.IsOwnMarker(line.Raw))
            {
                continue;
            }
            bool isOurs = line.Kind == AuthorizedKeyLineKind.Key && written.Contains(line.Key!);
            (isOurs ? ours : theirs).Append(line.Raw).Append('\n');
        }
        return (ours.ToString(), theirs.ToString(), null);
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? text : text[..newline]).Trim(' ', '\t', '\r');
    }
}
