using System.Buffers;
using System.Text;

namespace KeyAgentd.Trust.Signatures;

/// <summary>
/// The armor of a .sig file, read strictly: one or more "-----BEGIN SSH SIGNATURE-----" …
/// "-----END SSH SIGNATURE-----" blocks of base64 lines, blank lines between blocks and nothing
/// else. OpenSSH's sshsig_dearmor reads only the first block and skips stray whitespace inside
/// the base64; here a file signed by several people holds several blocks, and anything that is
/// not exactly armor is refused rather than guessed at.
/// </summary>
public static class SshSignatureArmor
{
    public const string Begin = "-----BEGIN SSH SIGNATURE-----";
    public const string End = "-----END SSH SIGNATURE-----";

    /// <summary>A .sig file larger than this is not a signature file (16 blocks of the largest RSA signature fit easily).</summary>
    public const int MaxFileBytes = 256 * 1024;

    public const int MaxBlocks = 16;

    /// <summary>ssh-keygen wraps at 70 (sshbuf_dtob64 with wrap); 76 allows the MIME width other tools use.</summary>
    public const int MaxLineLength = 76;

    /// <summary>The largest decoded blob accepted: key (SSH_MAX_PUBKEY_BYTES) plus signature plus framing.</summary>
    public const int MaxBlobBytes = 40 * 1024;

    private static readonly SearchValues<char> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>
    /// Returns the decoded blob of every block, in file order. An empty (or all-blank) file has no
    /// blocks and yields an empty list: that is "missing", not "malformed".
    /// </summary>
    public static IReadOnlyList<byte[]> Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length > MaxFileBytes)
        {
            ThrowHelper.Malformed($"signature file is {file.Length} bytes, more than the {MaxFileBytes} allowed");
        }
        if (!Ascii.IsValid(file))
        {
            ThrowHelper.Malformed("signature file is not ASCII");
        }
        string text = Encoding.ASCII.GetString(file);
        var blocks = new List<byte[]>();
        var base64 = new StringBuilder();
        bool inBlock = false;
        int lineNumber = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            lineNumber++;
            ReadOnlySpan<char> line = text.AsSpan(range);
            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }
            if (!inBlock)
            {
                if (line.IsEmpty)
                {
                    continue;
                }
                if (!line.SequenceEqual(Begin))
                {
                    ThrowHelper.Malformed($"signature file line {lineNumber}: expected \"{Begin}\"");
                }
                if (blocks.Count == MaxBlocks)
                {
                    ThrowHelper.Malformed($"signature file has more than {MaxBlocks} signatures");
                }
                inBlock = true;
                base64.Clear();
                continue;
            }
            if (line.SequenceEqual(End))
            {
                blocks.Add(DecodeBase64(base64.ToString(), lineNumber));
                inBlock = false;
                continue;
            }
            if (line.IsEmpty || line.Length > MaxLineLength || line.ContainsAnyExcept(Base64Alphabet))
            {
                ThrowHelper.Malformed($"signature file line {lineNumber}: not a base64 line of a signature");
            }
            base64.Append(line);
        }
        if (inBlock)
        {
            ThrowHelper.Malformed($"signature file ends inside a signature (no \"{End}\")");
        }
        return blocks;
    }

    /// <summary>
    /// Canonical base64 only, as b64_pton: full quads, '=' only at the end, zero bits under the
    /// padding. Re-encoding the result and comparing is the simplest exact test of all three.
    /// </summary>
    private static byte[] DecodeBase64(string base64, int lineNumber)
    {
        if (base64.Length == 0 || base64.Length % 4 != 0 || base64.Length / 4 * 3 > MaxBlobBytes + 2)
        {
            ThrowHelper.Malformed($"signature ending on line {lineNumber} is not valid base64 or is too large");
        }
        var blob = new byte[base64.Length / 4 * 3];
        if (!Convert.TryFromBase64String(base64, blob, out int written) ||
            written > MaxBlobBytes ||
            !string.Equals(Convert.ToBase64String(blob, 0, written), base64, StringComparison.Ordinal))
        {
            ThrowHelper.Malformed($"signature ending on line {lineNumber} is not canonical base64");
        }
        return blob[..written];
    }
}
