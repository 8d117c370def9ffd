namespace KeyAgentd.Core.Source;

/// <summary>
/// One key that starts or stops reaching an account on a host, or whose restriction there changes, as
/// the daemon would judge both documents. <see cref="OptionsBefore"/> and <see cref="OptionsAfter"/> are
/// the options a host writes in front of the key (with expiry-time), set for <see cref="AccessChangeKind.RestrictionChanged"/>.
/// </summary>
public sealed record AccessChange(string Account, AccessChangeKind Kind, string Owner, string? Label, string Fingerprint, string KeyType)
{
    public string? OptionsBefore { get; init; }

    public string? OptionsAfter { get; init; }

    /// <summary>For a CA line (label <c>cert-authority</c>): the certificate principals the account starts admitting from this CA.</summary>
    public IReadOnlyList<string> PrincipalsGained { get; init; } = [];

    /// <summary>For a CA line: the certificate principals the account stops admitting from this CA.</summary>
    public IReadOnlyList<string> PrincipalsLost { get; init; } = [];
}
