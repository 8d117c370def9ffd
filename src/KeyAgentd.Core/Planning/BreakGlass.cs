using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// The `Accounts:BreakGlass:&lt;user&gt;` lines from local config, which are always kept. They are
/// not judged by the registry's policy (they are the way in when the registry is wrong), but a line
/// sshd could not use, or a key on the registry's revoked list, is left out with a note.
/// </summary>
internal sealed record BreakGlass(IReadOnlyList<string> Lines, HashSet<SshPublicKey> Keys)
{
    public static BreakGlass Parse(IReadOnlyList<string> lines, Withdrawals withdrawn, List<string> notes)
    {
        var kept = new List<string>();
        var keys = new HashSet<SshPublicKey>();
        for (int i = 0; i < lines.Count; i++)
        {
            var line = AuthorizedKeyLineParser.Parse(lines[i], i + 1);
            if (line.Kind is AuthorizedKeyLineKind.Blank or AuthorizedKeyLineKind.Comment)
            {
                continue;
            }
            if (!line.IsKey)
            {
                string code = line.Error is { } error ? error.ToCode() : "invalid";
                notes.Add($"break-glass line {i + 1} ignored: {code}: {SafeText.Escape(line.ErrorMessage ?? "", 200)}");
                continue;
            }
            if (withdrawn.IsRevoked(line.Key!))
            {
                // Revocation wins even here: a break-glass key that leaked is exactly what `revoked` is for.
                notes.Add($"break-glass line {i + 1} dropped: {line.Key!.Sha256Fingerprint} is on the registry's revoked list");
                continue;
            }
            if (keys.Add(line.Key!))
            {
                kept.Add(line.Raw.Trim(' ', '\t'));
            }
        }
        return new BreakGlass(kept, keys);
    }
}
