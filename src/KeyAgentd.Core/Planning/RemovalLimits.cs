namespace KeyAgentd.Core.Planning;

/// <summary>
/// When the mass-removal guard stops a cycle: the removal takes more than <see cref="MaxPercent"/> of
/// the host's managed keys <em>and</em> at least <see cref="MinKeys"/> of them. The floor is what lets
/// a small host lose a removed person at once (one key of one is 100%); the percentage is what stops
/// an empty or truncated snapshot from emptying a host that has many keys.
/// </summary>
public sealed record RemovalLimits(double MaxPercent = RemovalLimits.DefaultMaxPercent, int MinKeys = RemovalLimits.DefaultMinKeys)
{
    public const double DefaultMaxPercent = 50;

    /// <summary>Ten keys is a few people (most have one to three); fewer is never held back.</summary>
    public const int DefaultMinKeys = 10;
}
