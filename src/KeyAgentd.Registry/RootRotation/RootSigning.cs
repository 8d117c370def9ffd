using System.Text;
using KeyAgentd.Core.Keys;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.Signing;
using KeyAgentd.Storage;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.RootRotation;

/// <summary>
/// `root sign FILE --key KEY`: one root holder adds one SSHSIG block (namespace keyagentd-root) to
/// FILE.sig, on their own machine, through ssh-agent or `ssh-keygen -Y sign` (so the key may live on a
/// FIDO security key). Before anything is signed: FILE must be a canonical root that keeps the rules, the
/// key must be one of its root keys or of its predecessor's (N-1.json beside it: a holder being rotated out
/// signs as a previous holder), not revoked, and not already in FILE.sig; every block already there must
/// verify over FILE's bytes (a document changed after others signed it is refused, not signed again).
/// </summary>
internal static class RootSigning
{
    /// <param name="Principals">the root principals the key is for: of this version, of the previous, or both</param>
    /// <param name="Own">the document's own threshold, as signed now</param>
    /// <param name="ByPrevious">the previous version's threshold as signed now, null without a verifiable N-1 beside it</param>
    internal sealed record Outcome(long Version, SshPublicKey Key, string Principals, string Signer, int Blocks,
        Trust.Policy.SignatureDecision Own, Trust.Policy.SignatureDecision? ByPrevious);

    /// <exception cref="RootRefusedException">Refused; FILE.sig is unchanged.</exception>
    /// <exception cref="IOException">A file or the signer failed.</exception>
    public static Outcome Sign(string file, string keyFile, string? agentSocket, int minRsaBits, DateTimeOffset now)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        // The directory's lock keeps two holders signing on one machine from losing each other's block.
        using var staging = StagingDirectory.Create(directory);
        byte[] bytes = DocumentFile.Read(file, TrustRootParser.MaxBytes + 1, followSymlink: true);
        var root = ReadCanonical(bytes, file, minRsaBits);
        RootDraft.CheckPublishable(root, now);
        string previousPath = Path.Combine(directory, RootDirectory.DocumentName(root.Version - 1));
        byte[]? previousBytes = root.Version > 1 ? DocumentFile.TryRead(previousPath, TrustRootParser.MaxBytes + 1) : null;
        var previous = previousBytes is null ? null : ReadCanonical(previousBytes, previousPath, minRsaBits);
        if (previous is not null && previous.Version != root.Version - 1)
        {
            throw new RootRefusedException(RootRefusal.Unreadable, $"{previousPath} holds version {previous.Version}, not {root.Version - 1}");
        }

        var key = SignerFactory.PublicKeyOf(keyFile)
            ?? throw new RootRefusedException(RootRefusal.ChangeInvalid, $"{keyFile}: no public key there or in {keyFile}.pub");
        string principals = Principals(root, previous, key, file);

        byte[]? existing = DocumentFile.TryRead(file + ".sig", DocumentFile.MaxSignatureBytes);
        int blocks = CheckExisting(existing, bytes, key, file, minRsaBits);

        string copy = staging.Write(Path.GetFileName(file), bytes);
        var signer = SignerFactory.Open(keyFile, agentSocket, TrustRootDocument.Namespace);
        string how = signer is AgentSigner ? "ssh-agent" : "ssh-keygen -Y sign";
        string block;
        try
        {
            block = signer.Sign([copy])[0];
        }
        finally
        {
            (signer as IDisposable)?.Dispose();
        }
        CheckNewBlock(block, bytes, key, minRsaBits);
        byte[] signature = [.. existing ?? [], .. existing is { Length: > 0 } && existing[^1] != '\n' ? "\n"u8.ToArray() : [], .. Encoding.ASCII.GetBytes(block)];
        DurableFile.WriteAllBytes(file + ".sig", signature, Posix.Mode0644);

        var own = RootVerifier.VerifyFirst(bytes, signature, null, minRsaBits, now).ByItself!;
        Trust.Policy.SignatureDecision? byPrevious = null;
        if (previousBytes is not null && DocumentFile.TryRead(previousPath + ".sig", DocumentFile.MaxSignatureBytes) is { } previousSignature
            && RootVerifier.VerifyFirst(previousBytes, previousSignature, null, minRsaBits, now) is { IsAccepted: true, Root: { } previousRoot })
        {
            byPrevious = RootVerifier.VerifySuccessor(previousRoot, bytes, signature, minRsaBits, now).ByPrevious;
        }
        return new Outcome(root.Version, key, principals, how, blocks + 1, own, byPrevious);
    }

    /// <exception cref="RootRefusedException">Not a strict, canonical root document.</exception>
    public static TrustRootDocument ReadCanonical(byte[] bytes, string path, int minRsaBits)
    {
        if (!TrustRootParser.TryParse(bytes, minRsaBits, out var root, out string? error))
        {
            throw new RootRefusedException(RootRefusal.Unreadable, $"{path}: {error}");
        }
        if (!TrustRootWriter.Render(root).AsSpan().SequenceEqual(bytes))
        {
            throw new RootRefusedException(RootRefusal.Unreadable,
                $"{path}: not the canonical rendering of its content (edited by hand?); what holders sign must be what `root propose` showed them");
        }
        return root;
    }

    private static string Principals(TrustRootDocument root, TrustRootDocument? previous, SshPublicKey key, string file)
    {
        if (root.RevokedSigners.Contains(key.Sha256Fingerprint, StringComparer.Ordinal))
        {
            throw new RootRefusedException(RootRefusal.SignerNotRootKey, $"{key.Sha256Fingerprint} is revoked by version {root.Version}: its signature counts for nothing");
        }
        string? own = root.RootKeys.FirstOrDefault(k => k.Key.Equals(key))?.Principal;
        string? before = previous?.RootKeys.FirstOrDefault(k => k.Key.Equals(key))?.Principal;
        var roles = new List<string>();
        if (own is not null && own == before)
        {
            roles.Add($"{own} (root key of versions {previous!.Version} and {root.Version})");
        }
        else
        {
            roles.AddRange(own is null ? [] : [$"{own} (root key of version {root.Version})"]);
            roles.AddRange(before is null ? [] : [$"{before} (root key of version {previous!.Version})"]);
        }
        if (roles.Count == 0)
        {
            throw new RootRefusedException(RootRefusal.SignerNotRootKey,
                $"{key.Sha256Fingerprint} is not a root key of {file} (version {root.Version}: {string.Join(", ", root.RootKeys.Select(k => k.Principal))})"
                + (previous is null ? (root.Version > 1 ? $" and version {root.Version - 1} is not beside it to check" : "")
                    : $" nor of version {previous.Version} ({string.Join(", ", previous.RootKeys.Select(k => k.Principal))})"));
        }
        return string.Join(", ", roles);
    }

    /// <returns>how many blocks FILE.sig holds</returns>
    private static int CheckExisting(byte[]? existing, byte[] document, SshPublicKey key, string file, int minRsaBits)
    {
        if (existing is null || existing.Length == 0)
        {
            return 0;
        }
        IReadOnlyList<byte[]> blobs;
        try
        {
            blobs = SshSignatureArmor.Decode(existing);
        }
        catch (SignatureFormatException e)
        {
            throw new RootRefusedException(RootRefusal.StaleSignature, $"{file}.sig is not a list of SSH signature blocks ({e.Message})");
        }
        var digest = MessageDigest.Compute(document);
        for (int i = 0; i < blobs.Count; i++)
        {
            var signature = Parse(blobs[i], $"{file}.sig block {i + 1}");
            if (signature.Namespace != TrustRootDocument.Namespace
                || !SshSignatureVerifier.Verify(signature, digest, new SignatureVerifyOptions { MinRsaBits = minRsaBits }).IsValid)
            {
                throw new RootRefusedException(RootRefusal.StaleSignature,
                    $"{file}.sig block {i + 1} ({signature.PublicKey.Sha256Fingerprint}) does not verify over {file} in namespace {TrustRootDocument.Namespace}: the document changed after it was signed; start its .sig again");
            }
            if (signature.PublicKey.Equals(key))
            {
                throw new RootRefusedException(RootRefusal.AlreadySigned, $"{file}.sig already holds a block of {key.Sha256Fingerprint} (block {i + 1})");
            }
        }
        return blobs.Count;
    }

    /// <summary>What the signer returned must be a block of the expected key over these bytes: ssh-keygen given a private key whose .pub lies would sign with another key.</summary>
    private static void CheckNewBlock(string block, byte[] document, SshPublicKey key, int minRsaBits)
    {
        IReadOnlyList<byte[]> blobs;
        try
        {
            blobs = SshSignatureArmor.Decode(Encoding.ASCII.GetBytes(block));
        }
        catch (SignatureFormatException e)
        {
            throw new IOException($"the signer returned no signature block ({e.Message})", e);
        }
        var signature = blobs.Count == 1 ? Parse(blobs[0], "the new block") : throw new IOException($"the signer returned {blobs.Count} blocks");
        if (!signature.PublicKey.Equals(key) || signature.Namespace != TrustRootDocument.Namespace
            || !SshSignatureVerifier.Verify(signature, document, new SignatureVerifyOptions { MinRsaBits = minRsaBits }).IsValid)
        {
            throw new IOException($"the signer's block is not a {TrustRootDocument.Namespace} signature of {key.Sha256Fingerprint} over the document; nothing was written");
        }
    }

    private static SshSignature Parse(byte[] blob, string where)
    {
        try
        {
            return SshSignatureParser.Parse(blob);
        }
        catch (SignatureFormatException e)
        {
            throw new RootRefusedException(RootRefusal.StaleSignature, $"{where} is not an SSH signature ({e.Message})");
        }
    }
}
