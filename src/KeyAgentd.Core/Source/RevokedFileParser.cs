using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Source;

/// <summary>
/// The `revoked` file: one SHA256 fingerprint per line, or a whole public key line (its fingerprint
/// is taken, so a revoked key can be pasted as is); '#' starts a comment.
/// </summary>
public static class RevokedFileParser
{
    public static IReadOnlyList<RevokedEntry> Parse(string file, string text, List<SourceProblem> problems)
    {
        var entries = new List<RevokedEntry>();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var location = new SourceLocation(file, number);
            string first = line.Split([' ', '\t'], 2)[0];
            if (Fingerprint.IsSha256(first))
            {
                entries.Add(new RevokedEntry(first, location));
                continue;
            }
            var parsed = AuthorizedKeyLineParser.Parse(line);
            if (parsed.Key is { } key)
            {
                entries.Add(new RevokedEntry(key.Sha256Fingerprint, location));
                continue;
            }
            problems.Add(SourceProblem.Error(location, SourceReason.InvalidFingerprint, "not a SHA256 fingerprint or a public key line",
                "write SHA256:<43 base64 characters> as ssh-keygen -l prints it, or the whole public key line"));
        }
        return entries;
    }
}
