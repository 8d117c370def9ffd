using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>Signs in this process through ssh-agent: one SSH_AGENTC_SIGN_REQUEST per document over one connection.</summary>
/// <param name="namespace">the SSHSIG namespace: snapshots' by default, keyagentd-root for a trust root</param>
internal sealed class AgentSigner(SshAgentClient agent, SshPublicKey key, string @namespace = IDocumentSigner.Namespace) : IDocumentSigner, IDisposable
{
    public string Describe() => $"{key.TypeName} {key.Sha256Fingerprint} (ssh-agent)";

    public IReadOnlyList<string> Sign(IReadOnlyList<string> documentPaths)
    {
        var blocks = new List<string>(documentPaths.Count);
        foreach (string path in documentPaths)
        {
            byte[] signedData = SshSignatureWriter.SignedData(@namespace, File.ReadAllBytes(path));
            byte[] signature = agent.Sign(key, signedData);
            blocks.Add(SshSignatureWriter.Armor(SshSignatureWriter.Blob(key, @namespace, signature)));
        }
        return blocks;
    }

    public void Dispose() => agent.Dispose();
}
