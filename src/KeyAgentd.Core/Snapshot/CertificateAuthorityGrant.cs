namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// An account's `cert_authorities` entry: certificates signed by the CA <see cref="Key"/> (untrusted
/// text, judged as a key is) log in when they name one of <see cref="Principals"/>, under
/// <see cref="Options"/> and until <see cref="NotAfter"/>. Hosts write it as sshd's
/// <c>cert-authority,principals="…"[,options] KEY NAME</c> line; <see cref="Name"/> is the source's
/// name for the CA (cas.yaml), shown in diffs, the audit log and doctor.
/// </summary>
public sealed record CertificateAuthorityGrant(string Name, string Key, IReadOnlyList<string> Principals, string? Options, DateTimeOffset? NotAfter)
{
    /// <summary>The label every CA line carries in plans, diffs and the audit log: it tells a CA line from a person's key.</summary>
    public const string Label = "cert-authority";
}
