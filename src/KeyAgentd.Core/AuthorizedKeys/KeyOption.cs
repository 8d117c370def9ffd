namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// One option of an authorized_keys line. <see cref="Name"/> is lower-case (sshd matches names
/// case-insensitively) and keeps a "no-" prefix; <see cref="Value"/> is the de-quoted value, or null
/// for a flag.
/// </summary>
public sealed record KeyOption(string Name, string? Value)
{
    public static KeyOption Flag(string name) => new(name, null);

    public override string ToString() => KeyOptionsRenderer.Render(this);
}
