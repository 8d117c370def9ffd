using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.AllowedSigners;

/// <summary>
/// A parsed allowed_signers file. A bad line grants nothing and is reported with its number; it
/// never aborts the file, as sshsig.c sshsig_check_allowed_keys skips it. The caller decides
/// whether a file with errors is acceptable (a trust root with typos deserves a loud warning).
/// </summary>
public sealed class AllowedSignersFile
{
    /// <summary>A trust root this large is a mistake, not a fleet's signers.</summary>
    public const int MaxBytes = 1024 * 1024;

    internal AllowedSignersFile(IReadOnlyList<AllowedSigner> signers, IReadOnlyList<AllowedSignersError> errors, string? path = null)
    {
        Signers = signers;
        Errors = errors;
        Path = path;
    }

    /// <summary>Where the text was read from, for messages an operator acts on; null when unknown.</summary>
    public string? Path { get; }

    /// <summary>"FILE:LINE" (the form editors and compilers use) when the path is known, else "allowed_signers line LINE".</summary>
    public string Where(int lineNumber) => Path is null ? $"allowed_signers line {lineNumber}" : $"{Path}:{lineNumber}";

    public IReadOnlyList<AllowedSigner> Signers { get; }

    public IReadOnlyList<AllowedSignersError> Errors { get; }

    public static AllowedSignersFile Empty { get; } = new([], []);

    /// <summary>Lines whose key equals <paramref name="key"/> byte for byte, in file order.</summary>
    public IEnumerable<AllowedSigner> ForKey(SshPublicKey key) => Signers.Where(s => s.Key.Equals(key));

    /// <param name="text">The file's contents.</param>
    /// <param name="localZone">The zone of times written without 'Z' (the host's local zone, chosen by the caller).</param>
    /// <param name="path">The file the text was read from, named in messages (<see cref="Where"/>).</param>
    public static AllowedSignersFile Parse(string text, TimeZoneInfo localZone, string? path = null) => AllowedSignersParser.Parse(text, localZone, path);
}
