using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Configuration;

/// <summary>
/// Every setting of README "Configuration", bound from the JSON file, then
/// KEYAGENTD_Section__Key environment variables, then command-line options (last wins).
/// </summary>
public sealed class KeyAgentdSettings
{
    public const string DefaultConfigPath = "/etc/keyagentd/keyagentd.json";

    public RegistrySettings Registry { get; set; } = new();

    public PolicySettings Policy { get; set; } = new();

    public AccountsSettings Accounts { get; set; } = new();

    public DeliverySettings Delivery { get; set; } = new();

    public SafetySettings Safety { get; set; } = new();

    public StateSettings State { get; set; } = new();

    public AuditSettings Audit { get; set; } = new();

    public MetricsSettings Metrics { get; set; } = new();

    public HostSettings Host { get; set; } = new();

    public SshdSettings Sshd { get; set; } = new();
}

public sealed class RegistrySettings
{
    public string? Url { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan Jitter { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public long MaxBytes { get; set; } = 8 * 1024 * 1024;

    public string? CaFile { get; set; }

    /// <summary>Trust roots in ssh-keygen's allowed_signers format; its presence turns enforcement on by default.</summary>
    public string AllowedSignersFile { get; set; } = "/etc/keyagentd/allowed_signers";

    /// <summary>
    /// A pinned first trust root (root.json, with root.json.sig beside it) that the package or provisioning
    /// installed: accepted on its own root keys once, then kept and walked forward in the state directory.
    /// Exclusive with an allowed_signers file (docs/trust-root.md "On a host").
    /// </summary>
    public string? TrustRootFile { get; set; }

    /// <summary>enforce, report or off; unset means enforce when <see cref="AllowedSignersFile"/> exists, else off (and warned about).</summary>
    public string? Signatures { get; set; }

    public int SignatureThreshold { get; set; } = 1;

    public string? RevokedSignersFile { get; set; }

    public bool RequireUserPresence { get; set; }

    /// <summary>The longest expires_at - issued_at this host accepts from a signed snapshot (apt's Valid-Until cap).</summary>
    public TimeSpan MaxValidity { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class AccountsSettings
{
    /// <summary>
    /// Accounts:Mode, parsed once by <see cref="SettingsLoader"/> with <see cref="OwnershipModes"/>, the
    /// one parser of the configuration spellings (the binder's enum conversion cannot read
    /// "managed-block"); a bad value is a settings error at load, never a failure of the first sync.
    /// </summary>
    public OwnershipMode Mode { get; set; } = OwnershipMode.Exclusive;

    public string[] Include { get; set; } = [];

    public string[] Exclude { get; set; } = [];

    /// <summary>user → key lines that are always kept, whatever the registry says.</summary>
    public Dictionary<string, string[]> BreakGlass { get; set; } = new(StringComparer.Ordinal);

    public string? PasswdFile { get; set; }
}

public sealed class DeliverySettings
{
    public bool AuthorizedKeysFiles { get; set; } = true;
}

public sealed class StateSettings
{
    public string Directory { get; set; } = "/var/lib/keyagentd";
}

public sealed class AuditSettings
{
    public string Path { get; set; } = "/var/log/keyagentd/audit.jsonl";
}

public sealed class MetricsSettings
{
    public string? TextfilePath { get; set; }
}

public sealed class HostSettings
{
    /// <summary>This host's identity for {hostname} in Registry:Url and for a snapshot's audience; unset means the host name.</summary>
    public string? Name { get; set; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string ResolvedName => string.IsNullOrWhiteSpace(Name) ? System.Net.Dns.GetHostName() : Name;
}

public sealed class SshdSettings
{
    /// <summary>Where the KRL for sshd's RevokedKeys goes; unset means State:Directory/revoked_keys.krl.</summary>
    public string? RevokedKeysFile { get; set; }

    public string ResolveRevokedKeysFile(StateSettings state) => RevokedKeysFile ?? System.IO.Path.Combine(state.Directory, "revoked_keys.krl");

    /// <summary>
    /// Off (null) by default: where to write every CA key this host's accounts admit, for sshd's TrustedUserCAKeys.
    /// Only safe with AuthorizedPrincipalsFile or AuthorizedPrincipalsCommand also set (docs/ssh-certificates.md).
    /// </summary>
    public string? TrustedUserCAKeysFile { get; set; }

    /// <summary>Off (null) by default: a directory of one AuthorizedPrincipalsFile per account (sshd: AuthorizedPrincipalsFile DIR/%u).</summary>
    public string? AuthorizedPrincipalsDirectory { get; set; }
}
