namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// A signer that needs only each document's SHA-512 (SSHSIG signs "SSHSIG" || namespace || "sha512" ||
/// the message's hash, never the message), so a build hashes as it renders and signing runs beside
/// rendering (<see cref="StreamedSigning"/>). ssh-agent and the in-process Ed25519 key are; ssh-keygen,
/// which reads files, is not.
/// </summary>
internal interface IHashSigner : IDocumentSigner
{
    /// <summary>One armored block per SHA-512, in order; <paramref name="sha512"/> may still be produced while this runs.</summary>
    IReadOnlyList<string> SignHashes(IEnumerable<byte[]> sha512);
}
