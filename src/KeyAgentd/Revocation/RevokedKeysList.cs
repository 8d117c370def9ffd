using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust.Revocation;

namespace KeyAgentd.Revocation;

/// <summary>
/// The snapshot's `revoked` list as an OpenSSH KRL for sshd's RevokedKeys: every fingerprint in the
/// SHA-256 section (a CA's fingerprint revokes every certificate it signed: ssh_krl_check_key checks
/// the signature key too), the full key as well where the snapshot still carries it (an explicit-key
/// entry also revokes it for tools that only read that section), and `revoked_certificates` in one
/// certificate section per CA. Deterministic: the same snapshot always gives the same bytes, so an
/// unchanged list is never rewritten.
/// </summary>
public static class RevokedKeysList
{
    public static byte[] Build(RegistrySnapshot snapshot)
    {
        var revoked = new HashSet<string>(snapshot.Revoked, StringComparer.Ordinal);
        var fullKeys = new List<SshPublicKey>();
        if (revoked.Count > 0)
        {
            var keys = snapshot.People.Values.SelectMany(p => p.Keys).Concat(snapshot.Accounts.Values.SelectMany(a => a.Keys));
            foreach (var entry in keys)
            {
                if (TryDecode(entry.Key) is { } key && revoked.Contains(key.Sha256Fingerprint))
                {
                    fullKeys.Add(key);
                }
            }
        }
        return KrlWriter.Write(revoked.Select(KrlWriter.Sha256FromFingerprint), fullKeys, snapshot.RevokedCertificates, new KrlOptions
        {
            Version = (ulong)snapshot.Serial,
            GeneratedAt = snapshot.IssuedAt ?? DateTimeOffset.UnixEpoch,
            Comment = "keyagentd registry revoked list",
        });
    }

    /// <summary>A KRL that revokes nothing: what sshd needs to find before any snapshot has been applied.</summary>
    public static byte[] Empty() => KrlWriter.Write([], [], new KrlOptions { Comment = "keyagentd: no registry snapshot applied yet" });

    /// <summary>
    /// True when two KRLs revoke the same keys, whatever their krl_version and generated_date: the file
    /// is rewritten only when the revocations change, and then carries the serial that changed them.
    /// </summary>
    public static bool SameRevocations(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        a.Length == b.Length && a.Length >= HeaderDatesEnd &&
        a[..HeaderDatesStart].SequenceEqual(b[..HeaderDatesStart]) && a[HeaderDatesEnd..].SequenceEqual(b[HeaderDatesEnd..]);

    // PROTOCOL.krl header: magic (8), format_version (4), krl_version (8), generated_date (8), then the rest.
    private const int HeaderDatesStart = 12;
    private const int HeaderDatesEnd = 28;

    private static SshPublicKey? TryDecode(string text)
    {
        try
        {
            return AuthorizedKeyLineParser.Parse(KeyImport.Normalize(text)).Key;
        }
        catch (Exception e) when (e is FormatException or KeyFormatException or ArgumentException)
        {
            return null;
        }
    }
}
