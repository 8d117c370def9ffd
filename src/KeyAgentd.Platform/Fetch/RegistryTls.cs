using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace KeyAgentd.Fetch;

/// <summary>
/// Registry:CaFile pins the registry to a private CA: the server chain must end at one of the
/// certificates in that PEM file, and the system trust store is ignored. Without it, the system
/// store decides (normal HTTPS).
/// </summary>
public static class RegistryTls
{
    public static RemoteCertificateValidationCallback? PinnedTo(string? caFile)
    {
        if (caFile is null)
        {
            return null;
        }
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new Configuration.SettingsException(
                $"Registry:CaFile {Core.SafeText.Escape(caFile, 200)} cannot be read ({Core.SafeText.Escape(e.Message, 200)}): point it at the PEM file of the registry's CA", e, "Registry:CaFile");
        }
        if (roots.Count == 0)
        {
            throw Configuration.SettingsException.ForKey("Registry:CaFile", $"Registry:CaFile {Core.SafeText.Escape(caFile, 200)} holds no PEM certificate: point it at the PEM file of the registry's CA");
        }
        return (_, certificate, chain, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return false;
            }
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements.Skip(1))
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
            return custom.Build(new X509Certificate2(certificate));
        };
    }
}
