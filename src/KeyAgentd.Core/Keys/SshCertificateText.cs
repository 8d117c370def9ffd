using System.Globalization;

namespace KeyAgentd.Core.Keys;

/// <summary>
/// A certificate described as ssh-keygen -L describes it (ssh-keygen.c print_cert, show_options;
/// sshkey.c sshkey_format_cert_validity), line for line, with one deliberate difference: every text
/// the certificate carries (key ID, principals, option names and values) goes through
/// <see cref="SafeText"/>, where ssh-keygen prints it raw to the terminal. Pure: the zone ssh-keygen
/// reads the validity in (its local time) is a parameter.
/// </summary>
public static class SshCertificateText
{
    private const string Indent = "        ";
    private const string ItemIndent = "                ";

    /// <summary>The lines after ssh-keygen -L's "FILE:" header, without line ends.</summary>
    public static IReadOnlyList<string> Describe(SshPublicKey certificate, TimeZoneInfo zone, bool md5 = false)
    {
        var info = certificate.Certificate ?? throw new ArgumentException("not a certificate", nameof(certificate));
        var lines = new List<string>
        {
            $"{Indent}Type: {certificate.TypeName} {Kind(info.Kind)} certificate",
            $"{Indent}Public key: {certificate.Type.DisplayName} {Fingerprint(certificate, md5)}",
            info.SignatureKey is { } ca
                ? $"{Indent}Signing CA: {ca.Type.DisplayName} {Fingerprint(ca, md5)} (using {SafeText.Escape(info.SignatureAlgorithm)})"
                : $"{Indent}Signing CA: (none)",
            $"{Indent}Key ID: \"{SafeText.Escape(info.KeyId)}\"",
            string.Create(CultureInfo.InvariantCulture, $"{Indent}Serial: {info.Serial}"),
            $"{Indent}Valid: {Validity(info, zone)}",
        };
        AddList(lines, "Principals", info.Principals.Select(p => SafeText.Escape(p)).ToList());
        AddList(lines, "Critical Options", info.CriticalOptions.Select(o => Option(o, critical: true)).ToList());
        AddList(lines, "Extensions", info.Extensions.Select(o => Option(o, critical: false)).ToList());
        return lines;
    }

    /// <summary>"user" or "host", as sshkey_cert_type prints it.</summary>
    public static string Kind(SshCertificateKind kind) => kind == SshCertificateKind.Host ? "host" : "user";

    /// <summary>sshkey_format_cert_validity: "forever", "after T", "before T" or "from T to T", T in the given zone.</summary>
    public static string Validity(SshCertificateInfo info, TimeZoneInfo zone)
    {
        if (info.ValidAfter == 0 && info.ValidBefore == SshCertificateInfo.Forever)
        {
            return "forever";
        }
        if (info.ValidAfter == 0)
        {
            return "before " + Time(info.ValidBefore, zone);
        }
        if (info.ValidBefore == SshCertificateInfo.Forever)
        {
            return "after " + Time(info.ValidAfter, zone);
        }
        return $"from {Time(info.ValidAfter, zone)} to {Time(info.ValidBefore, zone)}";
    }

    /// <summary>
    /// format_absolute_time: localtime, "%Y-%m-%dT%H:%M:%S". Past year 9999 (beyond what any CA
    /// issues and what .NET dates hold) the time is shown as the last second of 9999.
    /// </summary>
    private static string Time(ulong seconds, TimeZoneInfo zone)
    {
        long max = DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 86400;
        var utc = DateTimeOffset.FromUnixTimeSeconds(seconds > (ulong)max ? max : (long)seconds);
        return TimeZoneInfo.ConvertTime(utc, zone).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
    }

    private static string Fingerprint(SshPublicKey key, bool md5) => md5 ? key.Md5Fingerprint : key.Sha256Fingerprint;

    private static void AddList(List<string> lines, string title, List<string> items)
    {
        if (items.Count == 0)
        {
            lines.Add($"{Indent}{title}: (none)");
            return;
        }
        // ssh-keygen prints "Title: " and then each item on its own line: the header keeps its trailing space.
        lines.Add($"{Indent}{title}: ");
        lines.AddRange(items.Select(item => ItemIndent + item));
    }

    /// <summary>show_options: a known flag alone, a known string option with its value, an unknown flag as such, anything else as hex.</summary>
    private static string Option(SshCertificateOption option, bool critical)
    {
        string name = SafeText.Escape(option.Name);
        bool flag = critical
            ? option.Name == "verify-required"
            : option.Name is "permit-X11-forwarding" or "permit-agent-forwarding" or "permit-port-forwarding"
                or "permit-pty" or "permit-user-rc" or "no-touch-required";
        if (flag && option.Data.Length == 0)
        {
            return name;
        }
        if (critical && option.Name is "force-command" or "source-address" && option.StringValue is { } value)
        {
            return $"{name} {SafeText.Escape(value)}";
        }
        if (option.Data.Length == 0)
        {
            return name + " UNKNOWN FLAG OPTION";
        }
        return string.Create(CultureInfo.InvariantCulture, $"{name} UNKNOWN OPTION: {Convert.ToHexStringLower(option.Data)} (len {option.Data.Length})");
    }
}
