using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// Signs in this process through ssh-agent: every document hashed (SHA-512, the SSHSIG message hash) on
/// all cores, then the requests pipelined over one connection (<see cref="SshAgentClient.SignAll"/>).
/// </summary>
/// <param name="namespace">the SSHSIG namespace: snapshots' by default, keyagentd-root for a trust root</param>
internal sealed class AgentSigner(SshAgentClient agent, SshPublicKey key, string @namespace = IDocumentSigner.Namespace) : IDocumentSigner, IDisposable
{
    public string Describe() => $"{key.TypeName} {key.Sha256Fingerprint} (ssh-agent)";

    public IReadOnlyList<string> Sign(IReadOnlyList<string> documentPaths)
    {
        var signedData = new byte[documentPaths.Count][];
        Parallel.For(0, documentPaths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => signedData[i] = SshSignatureWriter.SignedData(@namespace, File.ReadAllBytes(documentPaths[i])));
        var signatures = agent.SignAll(key, signedData);
        return signatures.Select(s => SshSignatureWriter.Armor(SshSignatureWriter.Blob(key, @namespace, s))).ToList();
    }

    public void Dispose() => agent.Dispose();
}
