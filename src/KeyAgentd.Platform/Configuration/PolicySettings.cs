using KeyAgentd.Core.Policy;

namespace KeyAgentd.Configuration;

/// <summary>The Policy section: keyagentd reads it from its configuration file, keyagentd-registry from --policy.</summary>
public sealed class PolicySettings
{
    public int MinRsaBits { get; set; } = 2048;

    /// <summary>Null means the default list; configuration arrays replace it, never extend it.</summary>
    public string[]? AllowedKeyTypes { get; set; }

    public string[]? AllowedOptions { get; set; }

    public KeyPolicyOptions ToPolicyOptions() => new()
    {
        MinRsaBits = MinRsaBits,
        AllowedKeyTypes = AllowedKeyTypes ?? KeyPolicyOptions.DefaultAllowedKeyTypes,
        AllowedOptions = AllowedOptions ?? KeyPolicyOptions.DefaultAllowedOptions,
    };
}
