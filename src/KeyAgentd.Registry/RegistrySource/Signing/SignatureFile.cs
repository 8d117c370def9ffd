using System.Text;
using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// A document's .sig with several signers (Registry:SignatureThreshold). The new block takes the
/// place of the same key's earlier block (re-signing is idempotent and keeps its position), or is
/// added; a block over older bytes is dropped, so a stale signature never lingers. Blocks of signers
/// the --allowed-signers file trusts come first: `ssh-keygen -Y verify` checks only the first block of
/// a .sig, and it must say what keyagentd (which reads every block) says.
/// </summary>
internal static class SignatureFile
{
    /// <param name="trust">--allowed-signers, when given: what "trusted" means for the order, and what a kept block must verify against.</param>
    public static string Merge(byte[]? existing, ReadOnlySpan<byte> document, string newBlock, RegistryTrust? trust, DateTimeOffset now)
    {
        byte[] added = SshSignatureArmor.Decode(Encoding.ASCII.GetBytes(newBlock))[0];
        var addedKey = SshSignatureParser.Parse(added).PublicKey;
        var blocks = new List<byte[]>();
        bool replaced = false;
        var digest = MessageDigest.Compute(document);
        foreach (byte[] blob in Blobs(existing))
        {
            SshSignature signature;
            try
            {
                signature = SshSignatureParser.Parse(blob);
            }
            catch (SignatureFormatException)
            {
                continue;
            }
            if (signature.PublicKey.Equals(addedKey))
            {
                if (!replaced)
                {
                    blocks.Add(added);
                    replaced = true;
                }
            }
            else if (trust is not null ? Trusted(trust, document, blob, now)
                : signature.Namespace == IDocumentSigner.Namespace && SshSignatureVerifier.Verify(signature, digest, new SignatureVerifyOptions { MinRsaBits = 1024 }).IsValid)
            {
                blocks.Add(blob);
            }
        }
        if (!replaced)
        {
            blocks.Add(added);
        }
        // A stable partition: the order among trusted blocks (and among the others) is the signers'.
        var trusted = new StringBuilder();
        var others = new StringBuilder();
        foreach (byte[] blob in blocks)
        {
            (trust is null || Trusted(trust, document, blob, now) ? trusted : others).Append(SshSignatureWriter.Armor(blob));
        }
        return trusted.Append(others).ToString();
    }

    /// <summary>
    /// Whether a .sig read back vouches for <paramref name="document"/>: one of its blocks, in the registry's
    /// namespace, verifies over these very bytes, made by <paramref name="key"/> when it is known. Whoever can
    /// write the output directory can put anything there; its mere existence is no signature.
    /// </summary>
    public static bool Vouches(byte[]? existing, ReadOnlySpan<byte> document, SshPublicKey? key)
    {
        var digest = MessageDigest.Compute(document);
        foreach (byte[] blob in Blobs(existing))
        {
            try
            {
                var signature = SshSignatureParser.Parse(blob);
                if ((key is null || signature.PublicKey.Equals(key)) && signature.Namespace == IDocumentSigner.Namespace
                    && SshSignatureVerifier.Verify(signature, digest, new SignatureVerifyOptions { MinRsaBits = 1024 }).IsValid)
                {
                    return true;
                }
            }
            catch (SignatureFormatException)
            {
                // Not a block: it vouches for nothing.
            }
        }
        return false;
    }

    private static IReadOnlyList<byte[]> Blobs(byte[]? existing)
    {
        if (existing is null)
        {
            return [];
        }
        try
        {
            return SshSignatureArmor.Decode(existing);
        }
        catch (SignatureFormatException)
        {
            return [];
        }
    }

    /// <summary>The block alone verifies against the trust roots: a listed signer, in the namespace, over these bytes.</summary>
    private static bool Trusted(RegistryTrust trust, ReadOnlySpan<byte> document, byte[] blob, DateTimeOffset now) =>
        trust.Verify(document, Encoding.ASCII.GetBytes(SshSignatureWriter.Armor(blob)), now).Signatures is [{ IsValid: true }];
}
