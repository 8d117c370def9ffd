using KeyAgentd.Core;

namespace KeyAgentd.Trust.AllowedSigners;

/// <summary>
/// A comma-separated pattern list as OpenSSH's match_pattern_list reads it (case-sensitive here,
/// as sshsig.c calls it): '*' and '?' wildcards, a leading '!' negates, and any negated match wins.
/// </summary>
public sealed class PatternList
{
    private readonly string[] _patterns;

    public PatternList(string list)
    {
        Text = list;
        _patterns = list.Split(',');
    }

    public string Text { get; }

    public bool Matches(string text)
    {
        bool matched = false;
        foreach (string pattern in _patterns)
        {
            bool negated = pattern.StartsWith('!');
            if (Glob.IsMatch(negated ? pattern[1..] : pattern, text))
            {
                if (negated)
                {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    public override string ToString() => Text;
}
