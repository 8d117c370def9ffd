namespace KeyAgentd.Core.Policy;

/// <summary>The `Policy` configuration section. Defaults are those README "Policy" documents.</summary>
public sealed record KeyPolicyOptions
{
    public static readonly IReadOnlyList<string> DefaultAllowedKeyTypes =
    [
        "ssh-ed25519",
        "sk-ssh-ed25519@openssh.com",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ecdsa-sha2-nistp256@openssh.com",
        "ssh-rsa",
    ];

    /// <summary>
    /// Only options that take something away. Not a "no-*" pattern: no-touch-required (and
    /// no-verify-required) switch a security key's checks off, so they are opt-in by name.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultAllowedOptions =
    [
        "from",
        "restrict",
        "no-agent-forwarding",
        "no-port-forwarding",
        "no-pty",
        "no-user-rc",
        "no-X11-forwarding",
        "expiry-time",
        "permitopen",
        "permitlisten",
        "touch-required",
        "verify-required",
    ];

    public int MinRsaBits { get; init; } = 2048;

    public IReadOnlyList<string> AllowedKeyTypes { get; init; } = DefaultAllowedKeyTypes;

    /// <summary>Option names (globs with '*') the registry may set on a key.</summary>
    public IReadOnlyList<string> AllowedOptions { get; init; } = DefaultAllowedOptions;
}
