namespace KeyAgentd.Core.Keys;

/// <summary>
/// One key type name as it appears on an authorized_keys line, with what it means.
/// <see cref="DisplayName"/> is what ssh-keygen prints in parentheses (sshkey_type()).
/// </summary>
public sealed class SshKeyType
{
    private SshKeyType(string name, string plainName, SshKeyAlgorithm algorithm, string? curve, bool isCertificate, string displayName)
    {
        Name = name;
        PlainName = plainName;
        Algorithm = algorithm;
        Curve = curve;
        IsCertificate = isCertificate;
        DisplayName = displayName;
    }

    public string Name { get; }

    /// <summary>The type of the key inside; equal to <see cref="Name"/> for plain keys.</summary>
    public string PlainName { get; }

    public SshKeyAlgorithm Algorithm { get; }

    /// <summary>The curve identifier inside an ECDSA blob ("nistp256"…), else null.</summary>
    public string? Curve { get; }

    public bool IsCertificate { get; }

    public string DisplayName { get; }

    public const string Rsa = "ssh-rsa";
    public const string Dss = "ssh-dss";
    public const string Ed25519 = "ssh-ed25519";
    public const string EcdsaP256 = "ecdsa-sha2-nistp256";
    public const string EcdsaP384 = "ecdsa-sha2-nistp384";
    public const string EcdsaP521 = "ecdsa-sha2-nistp521";
    public const string SkEd25519 = "sk-ssh-ed25519@openssh.com";
    public const string SkEcdsaP256 = "sk-ecdsa-sha2-nistp256@openssh.com";

    // A plain Dictionary: sixteen entries, and building a FrozenDictionary costs more at start-up
    // (keyagentd-keys runs on every login) than it ever saves on lookups.
    private static readonly Dictionary<string, SshKeyType> s_byName = Build();
    private static readonly Dictionary<string, SshKeyType>.AlternateLookup<ReadOnlySpan<char>> s_bySpan = s_byName.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool TryGet(string name, out SshKeyType type) => s_byName.TryGetValue(name, out type!);

    public static bool TryGet(ReadOnlySpan<char> name, out SshKeyType type) =>
        s_bySpan.TryGetValue(name, out type!);

    // The names as UTF-8, for the login helper's byte path: sixteen short compares (length first)
    // cost less than widening the token to UTF-16 and hashing it, on every line of every login.
    private static readonly byte[][] s_utf8Names = s_byName.Keys.Select(System.Text.Encoding.ASCII.GetBytes).ToArray();

    /// <summary>Whether <paramref name="utf8"/> is exactly one of the names (ordinal, as <see cref="TryGet(string, out SshKeyType)"/>).</summary>
    public static bool IsName(ReadOnlySpan<byte> utf8)
    {
        foreach (byte[] name in s_utf8Names)
        {
            if (name.Length == utf8.Length && utf8.SequenceEqual(name))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// "rsa-sha2-256" and "rsa-sha2-512" (and their -cert-v01@openssh.com forms) are RSA signature
    /// algorithm names, not key types, but OpenSSH's sshkey_type_from_name maps them to KEY_RSA
    /// (KEY_RSA_CERT): sshd and ssh-keygen read a line that uses one as its type token as the
    /// ssh-rsa key (certificate) its blob holds. Returns that canonical type.
    /// </summary>
    public static bool TryGetSignatureAlias(ReadOnlySpan<char> name, out SshKeyType type)
    {
        type = null!;
        const string Sha256 = "rsa-sha2-256", Sha512 = "rsa-sha2-512";
        if (!name.StartsWith(Sha256, StringComparison.Ordinal) && !name.StartsWith(Sha512, StringComparison.Ordinal))
        {
            return false;
        }
        ReadOnlySpan<char> rest = name[Sha256.Length..];
        string? canonical = rest.IsEmpty ? Rsa : rest.SequenceEqual("-cert-v01@openssh.com") ? CertificateName(Rsa) : null;
        return canonical is not null && TryGet(canonical, out type);
    }

    private static Dictionary<string, SshKeyType> Build()
    {
        var plain = new (string Name, SshKeyAlgorithm Algorithm, string? Curve, string Display)[]
        {
            (Rsa, SshKeyAlgorithm.Rsa, null, "RSA"),
            (Dss, SshKeyAlgorithm.Dsa, null, "DSA"),
            (Ed25519, SshKeyAlgorithm.Ed25519, null, "ED25519"),
            (EcdsaP256, SshKeyAlgorithm.Ecdsa, "nistp256", "ECDSA"),
            (EcdsaP384, SshKeyAlgorithm.Ecdsa, "nistp384", "ECDSA"),
            (EcdsaP521, SshKeyAlgorithm.Ecdsa, "nistp521", "ECDSA"),
            (SkEd25519, SshKeyAlgorithm.SkEd25519, null, "ED25519-SK"),
            (SkEcdsaP256, SshKeyAlgorithm.SkEcdsa, "nistp256", "ECDSA-SK"),
        };
        var types = new Dictionary<string, SshKeyType>(StringComparer.Ordinal);
        foreach (var (name, algorithm, curve, display) in plain)
        {
            types[name] = new SshKeyType(name, name, algorithm, curve, isCertificate: false, display);
            string certName = CertificateName(name);
            types[certName] = new SshKeyType(certName, name, algorithm, curve, isCertificate: true, display + "-CERT");
        }
        return types;
    }

    /// <summary>"ssh-ed25519" → "ssh-ed25519-cert-v01@openssh.com"; "sk-…@openssh.com" keeps its domain once.</summary>
    private static string CertificateName(string plainName)
    {
        int at = plainName.IndexOf('@', StringComparison.Ordinal);
        string stem = at < 0 ? plainName : plainName[..at];
        return stem + "-cert-v01@openssh.com";
    }

    public override string ToString() => Name;
}
