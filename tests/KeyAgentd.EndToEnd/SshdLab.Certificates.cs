namespace KeyAgentd.EndToEnd;

/// <summary>The lab's certificate side: sshd trusting a CA (TrustedUserCAKeys), and certificates revoked in the registry.</summary>
public sealed partial class SshdLab
{
    private readonly List<object> _revokedCertificates = [];

    /// <summary>Puts certificates of the CA <paramref name="caKeyText"/> ("type base64") on the registry's `revoked_certificates`.</summary>
    public void RevokeCertificates(string caKeyText, string[] serials, string[] keyIds) =>
        _revokedCertificates.Add(new { ca = caKeyText, serials, key_ids = keyIds });

    /// <summary>
    /// sshd admitting certificates of the CA for the principal that is the account's name (TrustedUserCAKeys,
    /// written here), and refusing what keyagentd's KRL revokes (RevokedKeys).
    /// </summary>
    public void StartSshdTrustingCa(string caPublicLine)
    {
        string trusted = Path.Combine(Root, "trusted_user_ca_keys");
        File.WriteAllText(trusted, caPublicLine + "\n");
        Directory.CreateDirectory("/run/sshd");
        Port = LoopbackPorts.Reserve();
        StartSshdWith($"AuthorizedKeysFile .ssh/authorized_keys\nTrustedUserCAKeys {trusted}\nRevokedKeys {RevokedKeysPath}");
    }
}
