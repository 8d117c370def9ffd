using System.Text;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// Writes options back in sshd's grammar. The only escape sshd knows inside quotes is \", so a
/// value ending in a backslash cannot be written (and the parser can never produce one).
/// </summary>
public static class KeyOptionsRenderer
{
    public static string Render(IEnumerable<KeyOption> options)
    {
        var builder = new StringBuilder();
        foreach (var option in options)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }
            Append(builder, option);
        }
        return builder.ToString();
    }

    public static string Render(KeyOption option)
    {
        var builder = new StringBuilder();
        Append(builder, option);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, KeyOption option)
    {
        builder.Append(option.Name);
        if (option.Value is null)
        {
            return;
        }
        if (option.Value.EndsWith('\\'))
        {
            throw new ArgumentException($"option {option.Name} has a value ending in a backslash, which sshd's grammar cannot express", nameof(option));
        }
        builder.Append("=\"").Append(option.Value.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
    }
}
