using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>Signs in this process through ssh-agent: one SSH_AGENTC_SIGN_REQUEST per document over one connection.</summary>
internal sealed class AgentSigner(SshAgentClient agent, SshPublicKey key) : IDocumentSigner, IDisposable
{
    public string Describe() => $"{key.TypeName} {key.Sha256Fingerprint} (ssh-agent)";

    public IReadOnlyList<string> Sign(IReadOnlyList<string> documentPaths)
    {
        var blocks = new List<string>(documentPaths.Count);
        foreach (string path in documentPaths)
        {
            byte[] signedData = SshSignatureWriter.SignedData(IDocumentSigner.Namespace, File.ReadAllBytes(path));
            byte[] signature = agent.Sign(key, signedData);
            blocks.Add(SshSignatureWriter.Armor(SshSignatureWriter.Blob(key, IDocumentSigner.Namespace, signature)));
        }
        return blocks;
    }

    public void Dispose() => agent.Dispose();
}
