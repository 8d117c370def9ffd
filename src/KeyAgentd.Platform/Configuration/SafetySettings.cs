using KeyAgentd.Core.Planning;

namespace KeyAgentd.Configuration;

/// <summary>The Safety section: keyagentd reads it from its configuration file, keyagentd-registry from --policy.</summary>
public sealed class SafetySettings
{
    public double MaxRemovalPercent { get; set; } = RemovalLimits.DefaultMaxPercent;

    /// <summary>The absolute floor: a cycle removing fewer keys than this is never held back.</summary>
    public int MinRemovedKeys { get; set; } = RemovalLimits.DefaultMinKeys;

    public RemovalLimits ToRemovalLimits() => new(MaxRemovalPercent, MinRemovedKeys);
}
