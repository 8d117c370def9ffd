using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace KeyAgentd.Registry;

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
        roots.ImportFromPemFile(caFile);
        if (roots.Count == 0)
        {
            throw new Configuration.SettingsException($"Registry:CaFile {caFile} holds no PEM certificate");
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
