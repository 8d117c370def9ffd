using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// What sshd would do with a user certificate offered for an account whose authorized lines are
/// given, in sshd's order (auth2-pubkey.c user_key_allowed, auth2-pubkeyfile.c auth_check_authkey_line,
/// auth_authorise_keyopts; sshkey.c sshkey_cert_check_authority): the host's revocations first (sshd
/// asks its RevokedKeys KRL before it reads any authorized line), then a cert-authority line for the certificate's CA, that line's
/// expiry-time, a principal of the line's principals="…" in the certificate, then the certificate's
/// own validity. Client-dependent checks (from=, source-address) cannot be decided here: they are
/// returned as the restrictions that apply. Pure: the time and zone are parameters.
/// </summary>
public static class CertificateCheck
{
    /// <param name="Line">The cert-authority line that decided, when one names the certificate's CA.</param>
    /// <param name="Restrictions">When admitted: the line's options that apply (cert-authority and principals aside), then the certificate's critical options.</param>
    /// <param name="RevokedBy">When revoked: the entry that revokes it.</param>
    public sealed record Result(CertificateAdmission Admission, string Message, AuthorizedKeyLine? Line, IReadOnlyList<string> Restrictions, RevocationMatch? RevokedBy = null);

    /// <param name="revocations">What the host's KRL revokes: the revocations of the snapshot it was written from.</param>
    public static Result Check(SshPublicKey certificate, IEnumerable<AuthorizedKeyLine> lines, Revocations revocations, DateTimeOffset now, TimeZoneInfo localZone)
    {
        if (certificate.Certificate is not { } info)
        {
            return Refuse(CertificateAdmission.NotACertificate, $"{certificate.TypeName} is a plain key, not a certificate");
        }
        if (revocations.Find(certificate) is { } revoked)
        {
            // Revocation always wins: whatever the cert-authority lines admit, sshd refuses it here.
            return new Result(CertificateAdmission.Revoked,
                $"revoked by {revoked.Rule.ToCode()} ({revoked.Entry}): sshd refuses it through its RevokedKeys KRL before reading any authorized line",
                null, [], revoked);
        }
        if (info.Kind != SshCertificateKind.User)
        {
            return Refuse(CertificateAdmission.NotAUserCertificate, "a host certificate: sshd accepts only user certificates for a login");
        }
        var authorities = lines.Where(l => l.IsKey && l.Options.Contains("cert-authority") && info.SignatureKey is { } ca && l.Key!.Equals(ca)).ToList();
        if (authorities.Count == 0)
        {
            return Refuse(CertificateAdmission.CaNotAdmitted,
                $"no cert-authority line for its CA {info.SignatureKey?.Sha256Fingerprint ?? "(unknown)"}: sshd logs \"Certificate signature key ... not listed as a trusted certificate authority\" and refuses it");
        }
        Result? first = null;
        foreach (var line in authorities)
        {
            var result = CheckLine(certificate, info, line, now, localZone);
            if (result.Admission == CertificateAdmission.Admitted)
            {
                return result;
            }
            first ??= result;
        }
        return first!;
    }

    private static Result CheckLine(SshPublicKey certificate, SshCertificateInfo info, AuthorizedKeyLine line, DateTimeOffset now, TimeZoneInfo localZone)
    {
        if (line.Options.ExpiryTime(localZone) is { } expiry && expiry <= now)
        {
            return Refuse(CertificateAdmission.CaGrantExpired, $"the CA's line expired at {expiry.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (expiry-time)", line);
        }
        // Without principals= sshd matches the account name; keyagentd never writes such a line.
        var admitted = line.Options.ValueOf("principals")?.Split(',') ?? [];
        var matched = info.Principals.Where(p => admitted.Contains(p, StringComparer.Ordinal)).ToList();
        if (matched.Count == 0)
        {
            return Refuse(CertificateAdmission.PrincipalNotAdmitted,
                $"none of its principals [{string.Join(", ", info.Principals)}] is admitted here [{string.Join(", ", admitted)}]: sshd logs \"Certificate does not contain an authorized principal\"", line);
        }
        long seconds = now.ToUnixTimeSeconds();
        if ((ulong)Math.Max(0, seconds) < info.ValidAfter)
        {
            return Refuse(CertificateAdmission.NotYetValid, $"not valid before {Time(info.ValidAfter)}: sshd logs \"Certificate invalid: not yet valid\"", line);
        }
        if ((ulong)Math.Max(0, seconds) >= info.ValidBefore)
        {
            return Refuse(CertificateAdmission.Expired, $"expired at {Time(info.ValidBefore)}: sshd logs \"Certificate invalid: expired\"", line);
        }
        var restrictions = line.Options.Where(o => o.Name is not ("cert-authority" or "principals")).Select(o => o.ToString())
            .Concat(info.CriticalOptions.Select(o => o.StringValue is { } value ? $"{o.Name} {value}" : o.Name))
            .ToList();
        return new Result(CertificateAdmission.Admitted,
            $"admitted as principal {matched[0]} ({certificate.Sha256Fingerprint}, key ID \"{info.KeyId}\", serial {info.Serial}), until {Time(info.ValidBefore)}", line, restrictions);
    }

    private static string Time(ulong seconds) =>
        seconds >= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? "forever" : DateTimeOffset.FromUnixTimeSeconds((long)seconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static Result Refuse(CertificateAdmission admission, string message, AuthorizedKeyLine? line = null) => new(admission, message, line, []);
}
