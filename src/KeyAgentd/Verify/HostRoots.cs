using KeyAgentd.Configuration;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.State;
using KeyAgentd.Storage;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Verify;

/// <summary>
/// Where a host's trust root comes from: the version it kept in its state directory (verified again on every
/// load, against the version the trust state records), or, before it kept any, the pinned first root the
/// package or provisioning installed at Registry:TrustRootFile (accepted on its own root keys: a root-owned
/// file is as trusted as an allowed_signers file). A recorded version whose file is gone or damaged fails
/// closed: the trust state never resets because a file went missing.
/// </summary>
public static class HostRoots
{
    /// <summary>Whether this host uses a trust root: one is configured, or one was ever kept (recorded, on disk, or in <paramref name="recordedFloor"/>).</summary>
    public static bool InUse(KeyAgentdSettings settings, TrustStateRead trust, TrustRootStore store, long? recordedFloor = null) =>
        settings.Registry.TrustRootFile is not null || trust.State?.RootVersion is not null || store.HighestVersion() is not null || recordedFloor is not null;

    /// <summary>The highest root version this host ever accepted (<see cref="RootFloor"/>): the recorded places and the kept files.</summary>
    public static long? Floor(HostTrust trust, TrustRootStore store) => RootFloor.Highest(trust.RootFloor, store.HighestVersion());

    /// <summary>What `status` and the conflict message call the root's source.</summary>
    public static string Source(KeyAgentdSettings settings, TrustStateRead trust, TrustRootStore store) =>
        (trust.State?.RootVersion ?? store.HighestVersion()) is { } kept ? store.DocumentPath(kept) : settings.Registry.TrustRootFile ?? store.Directory;

    public static HostRootRead Read(KeyAgentdSettings settings, TrustStateRead trust, TrustRootStore store, DateTimeOffset now)
    {
        int minRsaBits = settings.Policy.MinRsaBits;
        if (trust.IsDamaged)
        {
            return Unusable($"the trust root version this host holds is recorded in the trust state, which is unusable ({trust.Problem})");
        }
        if ((trust.State?.RootVersion ?? store.HighestVersion()) is { } version)
        {
            return ReadKept(store, version, minRsaBits, now);
        }
        if (settings.Registry.TrustRootFile is not { } installed)
        {
            return Unusable("no trust root is kept and Registry:TrustRootFile is not set: run `keyagentd trust init URL --root-fingerprint SHA256:…`");
        }
        byte[] document, signature;
        try
        {
            document = TrustedFile.Read(installed, "Registry:TrustRootFile", TrustRootStore.MaxBytes, allowEmpty: false);
            signature = TrustedFile.Read(installed + ".sig", "Registry:TrustRootFile", TrustRootStore.MaxBytes, allowEmpty: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unusable($"Registry:TrustRootFile {installed}: {e.Message}");
        }
        var check = RootVerifier.VerifyFirst(document, signature, null, minRsaBits, now);
        return check.IsAccepted
            ? new HostRootRead(check.Root, check, null, null)
            : new HostRootRead(null, null, Problem($"Registry:TrustRootFile {installed} refused: {check}"), check);
    }

    private static HostRootRead ReadKept(TrustRootStore store, long version, int minRsaBits, DateTimeOffset now)
    {
        string path = store.DocumentPath(version);
        (byte[] Document, byte[] Signature)? kept;
        try
        {
            kept = store.Load(version);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Unusable($"the kept trust root version {version} cannot be read: {e.Message}");
        }
        if (kept is not { } files)
        {
            return Unusable($"{path} is missing, yet this host holds trust root version {version}: restore it from a backup, "
                + $"or `keyagentd trust init URL --root-fingerprint SHA256:…` (accepts version {version} or later)");
        }
        var check = RootVerifier.VerifyKept(files.Document, files.Signature, version, minRsaBits, now);
        return check.IsAccepted
            ? new HostRootRead(check.Root, null, null, null)
            : Unusable($"{path} fails verification ({check}): restore it from a backup, or `keyagentd trust init URL --root-fingerprint SHA256:…`");
    }

    private static SnapshotError Problem(string message) =>
        new(SignatureSetup.TrustRootsUnusable, message + "; no snapshot is trusted until then (the last-known-good stays, no keys change)");

    private static HostRootRead Unusable(string message) => new(null, null, Problem(message), null);
}
