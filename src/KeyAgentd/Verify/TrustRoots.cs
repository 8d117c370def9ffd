using System.Text;
using Mono.Unix.Native;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Storage;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Verify;

/// <summary>
/// Reads Registry:AllowedSignersFile and Registry:RevokedSignersFile at the start of every cycle, so
/// adding or retiring a signer takes effect at the next poll without a restart. Small root-owned
/// files: re-reading them costs microseconds.
/// </summary>
public static class TrustRoots
{
    /// <summary>allowed_signers files are a few lines per signer; a megabyte is far beyond any real one.</summary>
    public const int MaxFileBytes = 1 << 20;

    public static SignatureSetup Load(KeyAgentdSettings settings, string? allowedSignersOverride = null)
    {
        var registry = settings.Registry;
        string allowedPath = allowedSignersOverride ?? registry.AllowedSignersFile;
        var mode = allowedSignersOverride is not null
            ? SignatureMode.Enforce
            : SignatureModes.Resolve(registry.Signatures, AnythingAt(allowedPath));
        if (mode == SignatureMode.Off)
        {
            return new SignatureSetup(mode, null, null, []);
        }
        var options = HostOptions(settings);
        try
        {
            string allowed = Encoding.UTF8.GetString(ReadTrustFile(allowedPath, "Registry:AllowedSignersFile"));
            byte[]? revoked = registry.RevokedSignersFile is { } revokedPath ? ReadTrustFile(revokedPath, "Registry:RevokedSignersFile") : null;
            var trust = RegistryTrust.Parse(allowed, revoked, TimeZoneInfo.Local, options, allowedPath);
            return new SignatureSetup(mode, trust, null, [.. trust.Problems]);
        }
        catch (FormatException e)
        {
            // A revoked signers file that does not parse revokes nothing we can name: trusting the
            // signers it meant to revoke would fail open, so the roots are unusable until it is fixed.
            return new SignatureSetup(mode, null, new SnapshotError(SignatureSetup.TrustRootsUnusable,
                $"Registry:RevokedSignersFile {registry.RevokedSignersFile}: {e.Message}; no snapshot is trusted until the file parses"), []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new SignatureSetup(mode, null, new SnapshotError(SignatureSetup.TrustRootsUnusable, e.Message), []);
        }
    }

    /// <summary>
    /// The snapshot trust a trust root gives this host (its signers, revoked keys and threshold, raised by
    /// Registry:SignatureThreshold, never lowered). Registry:Signatures may say report; unset means enforce.
    /// </summary>
    public static SignatureSetup FromRoot(KeyAgentdSettings settings, TrustRoot root) =>
        new(SignatureModes.Resolve(settings.Registry.Signatures, allowedSignersFileExists: true), root.SnapshotTrust(HostOptions(settings)), null, [], root);

    /// <summary>
    /// A trust root and an allowed_signers file at once: two sources of who signs this host's keys, and no
    /// way to know which the operator meant. Every snapshot is refused until one of them goes.
    /// </summary>
    public static SnapshotError? Conflict(KeyAgentdSettings settings, string rootSource) =>
        AnythingAt(settings.Registry.AllowedSignersFile)
            ? new SnapshotError(SignatureSetup.TrustRootsUnusable,
                $"Registry:TrustRootFile / the trust root ({rootSource}) and Registry:AllowedSignersFile ({settings.Registry.AllowedSignersFile}) are both configured: "
                + "use one; remove the allowed_signers file once the root is in use (docs/trust-root.md \"On a host\"); no snapshot is trusted until then")
            : null;

    private static SignaturePolicyOptions HostOptions(KeyAgentdSettings settings) => new()
    {
        Threshold = settings.Registry.SignatureThreshold,
        RequireUserPresence = settings.Registry.RequireUserPresence,
        MinRsaBits = settings.Policy.MinRsaBits,
    };

    /// <summary>
    /// Whether anything at all is at <paramref name="path"/> (lstat): a directory, a dangling symlink or an
    /// empty file there means trust roots were meant to be, so the mode is enforce and they are refused as
    /// unusable, never read as "no file, signatures off". Only a name that does not exist is absent.
    /// </summary>
    private static bool AnythingAt(string path)
    {
        if (Syscall.lstat(path, out _) == 0)
        {
            return true;
        }
        var errno = Stdlib.GetLastError();
        return errno != Errno.ENOENT && errno != Errno.ENOTDIR;
    }

    /// <summary>
    /// A trust file's bytes, only if it passes sshd's safe_path rule (<see cref="TrustedFile"/>): a
    /// file someone else could have written would let them choose who signs this host's keys. A
    /// directory, a dangling symlink and an empty file are refused too: none of them is "no signers".
    /// </summary>
    private static byte[] ReadTrustFile(string path, string setting)
    {
        try
        {
            return TrustedFile.Read(path, setting, MaxFileBytes, allowEmpty: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not UnsafeFileException)
        {
            throw new IOException($"reading {setting} {path}: {e.Message}", e);
        }
    }
}
