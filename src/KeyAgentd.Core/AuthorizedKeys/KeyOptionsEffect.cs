namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// What an options field lets a login do, read in order the way sshauthopt_parse (auth-options.c)
/// reads it: every permission starts on and a later flag overrides an earlier one ("restrict" turns
/// the five off, "pty" after it turns one back on); "no-touch-required" switches the security-key
/// presence check off and "touch-required" on again; the first "environment" of a name wins;
/// permitopen/permitlisten entries add up, and only narrow forwarding that port-forwarding allows.
/// </summary>
internal sealed class KeyOptionsEffect
{
    /// <summary>The permissions "restrict" turns off; each is also a flag with a "no-" form.</summary>
    public static readonly IReadOnlyList<string> Permissions = ["port-forwarding", "agent-forwarding", "x11-forwarding", "pty", "user-rc"];

    private readonly HashSet<string> _denied = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    private KeyOptionsEffect()
    {
    }

    public bool NoTouchRequired { get; private set; }

    public bool VerifyRequired { get; private set; }

    public bool CertAuthority { get; private set; }

    public List<string> PermitOpen { get; } = [];

    public List<string> PermitListen { get; } = [];

    public bool Permits(string permission) => !_denied.Contains(permission);

    /// <summary>The value sshd keeps for an environment name (the first one given), or null.</summary>
    public string? EnvironmentValue(string name) => _environment.GetValueOrDefault(name);

    public static KeyOptionsEffect Of(IEnumerable<KeyOption> options)
    {
        var effect = new KeyOptionsEffect();
        foreach (var option in options)
        {
            effect.Apply(option);
        }
        return effect;
    }

    private void Apply(KeyOption option)
    {
        switch (option.Name)
        {
            case "restrict":
                _denied.UnionWith(Permissions);
                return;
            case "cert-authority":
                CertAuthority = true;
                return;
            case "touch-required":
                NoTouchRequired = false;
                return;
            case "no-touch-required":
                NoTouchRequired = true;
                return;
            case "verify-required":
                VerifyRequired = true;
                return;
            case "no-verify-required":
                VerifyRequired = false;
                return;
            case "environment" when option.Value is { } value:
                int equals = value.IndexOf('=', StringComparison.Ordinal);
                _environment.TryAdd(value[..equals], value[(equals + 1)..]);
                return;
            case "permitopen" when option.Value is { } value:
                PermitOpen.Add(value);
                return;
            case "permitlisten" when option.Value is { } value:
                PermitListen.Add(value);
                return;
        }
        if (option.Value is null && Permissions.Contains(option.Name))
        {
            _denied.Remove(option.Name);
        }
        else if (option.Value is null && option.Name.StartsWith("no-", StringComparison.Ordinal) && Permissions.Contains(option.Name[3..]))
        {
            _denied.Add(option.Name[3..]);
        }
    }
}
