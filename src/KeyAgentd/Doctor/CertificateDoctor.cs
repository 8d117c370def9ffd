using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Doctor;

/// <summary>
/// `doctor USER`'s certificate section: the CAs and principals the account admits (its cert-authority
/// lines, as keyagentd wrote them), and with <c>--certificate FILE</c> what sshd would do with that
/// certificate (<see cref="CertificateCheck"/>), its revocation judged by the revocations the host holds
/// (<see cref="HostRevocations"/>, what its KRL says). Every text goes through the report, which escapes it.
/// </summary>
internal static class CertificateDoctor
{
    /// <summary>A certificate file is one line of a few kilobytes; anything far larger is not one.</summary>
    public const int MaxCertificateBytes = 64 * 1024;

    public static void Examine(DoctorReport report, string? keyLines, string? certificateText, HostRevocations revocations, DateTimeOffset now, TimeZoneInfo localZone)
    {
        var held = revocations.Held ?? Revocations.None;
        report.Section("SSH certificates");
        var lines = AuthorizedKeyLineParser.ParseAll(keyLines ?? "").Where(l => l.IsKey).ToList();
        var authorities = lines.Where(l => l.Options.Contains("cert-authority")).ToList();
        if (authorities.Count == 0)
        {
            report.Info("admits no certificate (no cert-authority line)");
        }
        foreach (var line in authorities)
        {
            string principals = line.Options.ValueOf("principals") ?? "(the account name: no principals=)";
            var rest = line.Options.Where(o => o.Name is not ("cert-authority" or "principals")).Select(o => o.ToString()).ToList();
            string expired = line.Options.ExpiryTime(localZone) is { } expiry && expiry <= now ? " (EXPIRED: sshd ignores the line)" : "";
            string text = $"CA {line.Comment} {line.Key!.TypeName} {line.Key.Sha256Fingerprint}: principals {principals}" +
                (rest.Count > 0 ? $"; options {string.Join(",", rest)}" : "") + expired;
            if (held.Find(line.Key) is not null)
            {
                // keyagentd drops a revoked CA's line at the next sync, guard or not; until then the KRL refuses its certificates.
                report.Fail($"{text} (REVOKED: sshd refuses every certificate it signed)");
            }
            else
            {
                report.Ok(text);
            }
        }
        if (certificateText is null)
        {
            return;
        }
        var offered = AuthorizedKeyLineParser.ParseAll(certificateText).FirstOrDefault(l => l.Key is not null);
        if (offered?.Key is not { } certificate)
        {
            report.Fail($"{CertificateAdmission.NotACertificate.ToCode()}: the file holds no OpenSSH key or certificate line");
            return;
        }
        if (revocations.Problem is { } problem)
        {
            report.Warn($"revocations not checked: {problem}");
        }
        var result = CertificateCheck.Check(certificate, lines, held, now, localZone);
        if (certificate.Certificate is { } info)
        {
            report.Info($"certificate {certificate.TypeName} key ID \"{info.KeyId}\" serial {info.Serial}, CA {info.SignatureKey?.Sha256Fingerprint ?? "?"}, principals [{string.Join(", ", info.Principals)}]");
        }
        string verdict = $"{result.Admission.ToCode()}: {result.Message}";
        if (result.Admission == CertificateAdmission.Admitted)
        {
            report.Ok(verdict);
            foreach (string restriction in result.Restrictions)
            {
                report.Detail($"applies: {restriction}");
            }
        }
        else
        {
            report.Fail(verdict);
        }
    }
}
