using System.Text;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// A document's .sig with several signers (Registry:SignatureThreshold): a new block is appended to
/// the blocks that still verify over the document and come from other keys. A block over older bytes
/// or from the same key is dropped, so re-signing is idempotent and a stale signature never lingers.
/// </summary>
internal static class SignatureFile
{
    public static string Merge(byte[]? existing, ReadOnlySpan<byte> document, string newBlock)
    {
        var added = SshSignatureParser.Parse(SshSignatureArmor.Decode(Encoding.ASCII.GetBytes(newBlock))[0]);
        var text = new StringBuilder();
        if (existing is not null)
        {
            IReadOnlyList<byte[]> blobs;
            try
            {
                blobs = SshSignatureArmor.Decode(existing);
            }
            catch (SignatureFormatException)
            {
                blobs = [];
            }
            var digest = MessageDigest.Compute(document);
            foreach (byte[] blob in blobs)
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
                bool sameSigner = signature.PublicKey.Equals(added.PublicKey);
                bool valid = signature.Namespace == IDocumentSigner.Namespace &&
                    SshSignatureVerifier.Verify(signature, digest, new SignatureVerifyOptions { MinRsaBits = 1024 }).IsValid;
                if (!sameSigner && valid)
                {
                    text.Append(SshSignatureWriter.Armor(blob));
                }
            }
        }
        text.Append(newBlock.TrimEnd('\n')).Append('\n');
        return text.ToString();
    }
}
