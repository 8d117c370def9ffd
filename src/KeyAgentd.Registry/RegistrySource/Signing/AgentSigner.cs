using System.Security.Cryptography;
using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// Signs in this process through ssh-agent: each document's SHA-512 (the SSHSIG message hash) made here,
/// so the agent gets only the small to-be-signed blob, and the requests pipelined over one connection
/// (<see cref="SshAgentClient.SignAll"/>), while a build is still rendering (<see cref="IHashSigner"/>).
/// </summary>
/// <param name="namespace">the SSHSIG namespace: snapshots' by default, keyagentd-root for a trust root</param>
internal sealed class AgentSigner(SshAgentClient agent, SshPublicKey key, string @namespace = IDocumentSigner.Namespace) : IHashSigner, IDisposable
{
    public SshPublicKey? PublicKey => key;

    public string Describe() => $"{key.TypeName} {key.Sha256Fingerprint} (ssh-agent)";

    public IReadOnlyList<string> Sign(IReadOnlyList<string> documentPaths)
    {
        var hashes = new byte[documentPaths.Count][];
        Parallel.For(0, documentPaths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => hashes[i] = SHA512.HashData(File.ReadAllBytes(documentPaths[i])));
        return SignHashes(hashes);
    }

    public IReadOnlyList<string> SignHashes(IEnumerable<byte[]> sha512) =>
        agent.SignAll(key, sha512.Select(h => SshSignatureWriter.SignedDataForHash(@namespace, h)))
            .Select(s => SshSignatureWriter.Armor(SshSignatureWriter.Blob(key, @namespace, s))).ToList();

    public void Dispose() => agent.Dispose();
}
