namespace KeyAgentd.EndToEnd;

/// <summary>The lab's certificate revocation side: signed registries, sshd trusting a CA (TrustedUserCAKeys), and certificates revoked in the registry.</summary>
public sealed partial class SshdLab
{
    private readonly List<object> _revokedCertificates = [];

    /// <summary>Puts certificates of the CA <paramref name="caKeyText"/> ("type base64") on the registry's `revoked_certificates`.</summary>
    public void RevokeCertificates(string caKeyText, string[] serials, string[] keyIds) =>
        _revokedCertificates.Add(new { ca = caKeyText, serials, key_ids = keyIds });

    /// <summary>The registry signer's private key once <see cref="EnforceSignatures"/> was called.</summary>
    public string? SignerKeyPath { get; private set; }

    public string AllowedSignersPath => Path.Combine(Root, "allowed_signers");

    /// <summary>
    /// From now on every published registry is signed (`ssh-keygen -Y sign`, namespace keyagentd-registry)
    /// and keyagentd trusts only that signer (Registry:AllowedSignersFile, Registry:Signatures enforce).
    /// </summary>
    public void EnforceSignatures()
    {
        SignerKeyPath = NewKey("registry-signer");
        File.WriteAllText(AllowedSignersPath, $"registry@example.com {PublicLine(SignerKeyPath)}\n");
        WriteConfig(_mode);
    }

    /// <summary>A new registry document (serial bumped) published without a signature, then `keyagentd sync`; returns its exit code.</summary>
    public int PublishUnsignedAndSync()
    {
        string? signer = SignerKeyPath;
        SignerKeyPath = null;
        WriteRegistry();
        SignerKeyPath = signer;
        File.Delete(RegistryPath + ".sig");
        return Sync();
    }

    private void SignRegistryFile()
    {
        if (SignerKeyPath is null)
        {
            return;
        }
        File.Delete(RegistryPath + ".sig");
        Run("ssh-keygen", "-q", "-Y", "sign", "-n", "keyagentd-registry", "-f", SignerKeyPath, RegistryPath);
    }

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
