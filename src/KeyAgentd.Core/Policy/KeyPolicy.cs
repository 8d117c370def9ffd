using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Policy;

/// <summary>
/// Judges a parsed key line: what may reach an authorized_keys file. Pure: the time and the zone
/// that expiry-time values without 'Z' are read in are parameters.
/// Checks run from the most fundamental to the most circumstantial, so the reason given is the one
/// the key owner must fix first.
/// </summary>
public sealed class KeyPolicy
{
    private readonly KeyPolicyOptions _options;
    private readonly HashSet<string> _allowedTypes;
    private readonly HashSet<string> _revoked;
    private readonly string[] _allowedOptions;

    public KeyPolicy(KeyPolicyOptions? options, TimeZoneInfo localZone, IEnumerable<string>? revokedFingerprints = null)
    {
        ArgumentNullException.ThrowIfNull(localZone);
        _options = options ?? new KeyPolicyOptions();
        LocalZone = localZone;
        _allowedTypes = new HashSet<string>(_options.AllowedKeyTypes, StringComparer.Ordinal);
        _revoked = new HashSet<string>(revokedFingerprints ?? [], StringComparer.Ordinal);
        // sshd matches option names in any case and the parser gives them in lower case, so a
        // configured "no-X11-forwarding" (sshd's own spelling) must match "no-x11-forwarding".
        _allowedOptions = _options.AllowedOptions.Select(p => p.ToLowerInvariant()).ToArray();
    }

    public KeyPolicyOptions Options => _options;

    /// <summary>The zone sshd reads an expiry-time without 'Z' in: the host's, passed in by the caller.</summary>
    public TimeZoneInfo LocalZone { get; }

    public KeyPolicy WithRevoked(IEnumerable<string> revokedFingerprints) => new(_options, LocalZone, revokedFingerprints);

    public Verdict Evaluate(AuthorizedKeyLine line, DateTimeOffset now, DateTimeOffset? notAfter = null)
    {
        if (line.Kind != AuthorizedKeyLineKind.Key)
        {
            return line.Error is { } error
                ? new Verdict(error, line.ErrorMessage ?? error.ToCode())
                : new Verdict(ReasonCode.MissingKey, "not a key line");
        }
        var key = line.Key!;
        var verdict = EvaluateKey(key);
        if (!verdict.Accepted)
        {
            return verdict;
        }
        foreach (var option in line.Options)
        {
            // sshd reads option names case-insensitively. cert-authority turns the key into a CA for the
            // account (every certificate it signs logs in): no Policy:AllowedOptions pattern, "*" included,
            // can allow it on a key. keyagentd writes its own CA lines from the registry's CA grants.
            if (string.Equals(option.Name, "cert-authority", StringComparison.OrdinalIgnoreCase))
            {
                return new Verdict(ReasonCode.OptionNotAllowed,
                    "option \"cert-authority\" makes this key a certificate authority for the account and is never allowed on a key line, whatever Policy:AllowedOptions says: "
                    + "grant a CA through cas.yaml and a rule's cas (keyagentd doctor USER shows the CA lines it wrote)");
            }
            if (!IsOptionAllowed(option.Name))
            {
                return new Verdict(ReasonCode.OptionNotAllowed, $"option \"{option.Name}\" is not in Policy:AllowedOptions");
            }
        }
        if (line.Options.ExpiryTime(LocalZone) is { } expiry && expiry <= now)
        {
            return new Verdict(ReasonCode.Expired, $"expiry-time {expiry.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z has passed");
        }
        if (notAfter is { } end && end <= now)
        {
            return new Verdict(ReasonCode.Expired, $"not_after {end.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z has passed");
        }
        return Verdict.Accept;
    }

    /// <summary>The checks that depend on the key alone (type, size, revocation).</summary>
    public Verdict EvaluateKey(SshPublicKey key)
    {
        if (key.Type.IsCertificate)
        {
            return new Verdict(ReasonCode.CertificateNotAllowed,
                $"{key.TypeName} is a certificate; put the CA in TrustedUserCAKeys (or a cert-authority line), not the certificate");
        }
        if (key.Type.Algorithm == SshKeyAlgorithm.Dsa)
        {
            return new Verdict(ReasonCode.DsaNotAllowed, "DSA keys are broken and refused by OpenSSH ≥ 7.0; generate a new key with ssh-keygen -t ed25519");
        }
        if (!_allowedTypes.Contains(key.TypeName))
        {
            return new Verdict(ReasonCode.KeyTypeNotAllowed, $"{key.TypeName} is not in Policy:AllowedKeyTypes");
        }
        if (key.Type.Algorithm == SshKeyAlgorithm.Rsa && key.Bits < _options.MinRsaBits)
        {
            return new Verdict(ReasonCode.RsaTooSmall,
                $"RSA key is {key.Bits} bits, the minimum is {_options.MinRsaBits}; generate a new key with ssh-keygen -t ed25519");
        }
        if (_revoked.Contains(key.Sha256Fingerprint))
        {
            return new Verdict(ReasonCode.Revoked, $"{key.Sha256Fingerprint} is on the registry's revoked list");
        }
        return Verdict.Accept;
    }

    public bool IsOptionAllowed(string name) => _allowedOptions.Any(pattern => Glob.IsMatch(pattern, name.ToLowerInvariant()));
}
