using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// Signs in this process with an unencrypted Ed25519 private key file (<see cref="OpenSshKeyFile"/>):
/// each document read, hashed (SHA-512, the SSHSIG message hash) and signed on all cores. Ed25519 is
/// deterministic, so every block is byte for byte what `ssh-keygen -Y sign -f FILE` writes; this only
/// saves its process starts, its file round trips and its one core. The key is zeroed on dispose.
/// </summary>
internal sealed class Ed25519FileSigner(Ed25519PrivateKey key, string keyFile, string @namespace = IDocumentSigner.Namespace) : IHashSigner, IDisposable
{
    public SshPublicKey? PublicKey => key.PublicKey;

    public string Describe() => $"{key.PublicKey.TypeName} {key.PublicKey.Sha256Fingerprint} ({keyFile}, in process)";

    public IReadOnlyList<string> Sign(IReadOnlyList<string> documentPaths)
    {
        var blocks = new string[documentPaths.Count];
        Parallel.For(0, documentPaths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => blocks[i] = Block(SshSignatureWriter.SignedData(@namespace, File.ReadAllBytes(documentPaths[i]))));
        return blocks;
    }

    /// <summary>Signed as they come, on the caller's thread: ~0.1 ms each, beside a build that renders on another core.</summary>
    public IReadOnlyList<string> SignHashes(IEnumerable<byte[]> sha512) =>
        sha512.Select(h => Block(SshSignatureWriter.SignedDataForHash(@namespace, h))).ToList();

    /// <summary>The armored SSHSIG block for the signed data (<see cref="SshSignatureWriter.SignedData"/>).</summary>
    private string Block(byte[] signedData) =>
        SshSignatureWriter.Armor(SshSignatureWriter.Blob(key.PublicKey, @namespace, Ed25519SshSignature(key.Sign(signedData))));

    /// <summary>The SSH signature blob (RFC 8709 §6): string "ssh-ed25519", string signature.</summary>
    private static byte[] Ed25519SshSignature(byte[] signature)
    {
        byte[] type = System.Text.Encoding.ASCII.GetBytes(KeyAgentd.Core.Keys.SshKeyType.Ed25519);
        var blob = new byte[4 + type.Length + 4 + signature.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(blob, type.Length);
        type.CopyTo(blob, 4);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4 + type.Length), signature.Length);
        signature.CopyTo(blob, 8 + type.Length);
        return blob;
    }

    public void Dispose() => key.Dispose();
}
