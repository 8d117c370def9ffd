using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.AllowedSigners;

namespace KeyAgentd.Trust.Revocation;

/// <summary>
/// Registry:RevokedSignersFile: signer keys no longer trusted, one per line, either a public key
/// ("type base64 [comment]", compared byte-wise) or a "SHA256:…" fingerprint as ssh-keygen -l prints.
/// Blank lines and '#' comments are skipped; a bad line is reported and revokes nothing.
/// </summary>
public sealed class RevokedSigners
{
    private readonly HashSet<SshPublicKey> _keys;
    private readonly HashSet<string> _fingerprints;

    private RevokedSigners(HashSet<SshPublicKey> keys, HashSet<string> fingerprints, IReadOnlyList<AllowedSignersError> errors)
    {
        _keys = keys;
        _fingerprints = fingerprints;
        Errors = errors;
    }

    public static RevokedSigners None { get; } = new([], new(StringComparer.Ordinal), []);

    public IReadOnlyList<AllowedSignersError> Errors { get; }

    public int Count => _keys.Count + _fingerprints.Count;

    public bool Contains(SshPublicKey key) => _keys.Contains(key) || _fingerprints.Contains(key.Sha256Fingerprint);

    public static RevokedSigners From(IEnumerable<SshPublicKey> keys) => new([.. keys], new(StringComparer.Ordinal), []);

    public static RevokedSigners Parse(string text)
    {
        var keys = new HashSet<SshPublicKey>();
        var fingerprints = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<AllowedSignersError>();
        int lineNumber = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            lineNumber++;
            string line = text[range].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            if (Fingerprint.IsSha256(line))
            {
                fingerprints.Add(line);
                continue;
            }
            string[] fields = line.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
            try
            {
                if (fields.Length < 2)
                {
                    throw new FormatException("expected a public key or a SHA256 fingerprint");
                }
                keys.Add(SshPublicKeyDecoder.Decode(fields[0], fields[1]));
            }
            catch (Exception ex) when (ex is FormatException or KeyFormatException)
            {
                errors.Add(new AllowedSignersError(lineNumber, ex.Message));
            }
        }
        return new RevokedSigners(keys, fingerprints, errors);
    }
}
