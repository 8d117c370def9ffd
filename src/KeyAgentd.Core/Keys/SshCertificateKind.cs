namespace KeyAgentd.Core.Keys;

public enum SshCertificateKind
{
    User = 1,
    Host = 2,
}
