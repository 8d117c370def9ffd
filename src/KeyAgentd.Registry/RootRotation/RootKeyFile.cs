using KeyAgentd.Core;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// Reads KEYFILE.pub of a <see cref="RootKeySpec"/>: one plain public key line, as ssh-keygen writes it
/// (no options, no certificate), held to the root's signer rules, and its comment kept for reviewers.
/// </summary>
internal static class RootKeyFile
{
    private const int MaxBytes = 64 * 1024;

    /// <exception cref="RootRefusedException">The file cannot be read or is not one usable public key.</exception>
    public static (SshPublicKey Key, string? Comment) Read(string path, int minRsaBits)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxBytes)
            {
                throw new RootRefusedException(RootRefusal.ChangeInvalid, $"{path}: {(info.Exists ? "too large for a public key file" : "no such key file")}");
            }
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid, $"{path}: {e.Message}");
        }
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToList();
        if (lines.Count != 1)
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid, $"{path}: holds {lines.Count} key lines; a root names one key per file");
        }
        var line = AuthorizedKeyLineParser.Parse(lines[0]);
        if (!line.IsKey || line.Key is null)
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid, $"{path}: not a public key ({line.ErrorMessage ?? "unreadable"})");
        }
        if (line.Options.Count > 0)
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid, $"{path}: a key line with options; give the .pub file ssh-keygen wrote");
        }
        try
        {
            TrustRootRules.CheckSignerKey(line.Key, path, minRsaBits);
        }
        catch (TrustRootFormatException e)
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid, e.Message);
        }
        string? comment = line.Comment is { Length: > 0 } c && !SafeText.ContainsControl(c) ? c.Trim() : null;
        return (line.Key, string.IsNullOrEmpty(comment) ? null : comment);
    }
}
